"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { createApiTokenAction, revokeApiTokenAction } from "@/lib/users/actions";
import type { ApiTokenDto } from "@/lib/users/api-tokens";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { Alert, EmptyState } from "@/components/ui/card";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";

export function TokenManager({ tokens }: { tokens: ApiTokenDto[] }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});

  function onCreate(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const days = String(form.get("expiresInDays") ?? "");
    start(async () => {
      const res = await createApiTokenAction({ name: String(form.get("name") ?? ""), expiresInDays: days === "" ? undefined : days });
      if (res.ok) {
        setCreated(res.data.token);
        setError(null);
        setFieldErrors({});
        formEl.reset();
        router.refresh();
      } else {
        setError(res.message);
        setFieldErrors(res.fieldErrors ?? {});
      }
    });
  }

  function onRevoke(tokenId: string, name: string) {
    if (!window.confirm(`Revoke the token "${name}"? Scripts using it stop working at once.`)) return;
    start(async () => {
      const res = await revokeApiTokenAction({ tokenId });
      if (res.ok) router.refresh();
      else setError(res.message);
    });
  }

  return (
    <div className="space-y-4">
      {error ? <Alert>{error}</Alert> : null}
      {created ? (
        <Alert tone="success">
          <p className="font-medium">Copy this token now. It will not be shown again.</p>
          <code data-testid="new-token" className="mt-1 block break-all rounded bg-white px-2 py-1 font-mono text-xs text-slate-900 select-all">
            {created}
          </code>
        </Alert>
      ) : null}
      <form onSubmit={onCreate} className="grid gap-3 sm:grid-cols-[1fr_10rem_auto] sm:items-end" aria-label="Create API token">
        <Field label="Token name" htmlFor="token-name" error={fieldErrors.name}>
          <Input id="token-name" name="name" required maxLength={80} placeholder="deploy script" invalid={!!fieldErrors.name} />
        </Field>
        <Field label="Expires in (days)" htmlFor="token-days" error={fieldErrors.expiresInDays}>
          <Input id="token-days" name="expiresInDays" type="number" min={1} max={3650} placeholder="never" invalid={!!fieldErrors.expiresInDays} />
        </Field>
        <Button type="submit" disabled={pending}>
          Create token
        </Button>
      </form>
      {tokens.length === 0 ? (
        <EmptyState title="No API tokens">Create one for scripts that call the REST API.</EmptyState>
      ) : (
        <Table caption="API tokens">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Prefix</Th>
              <Th>Owner</Th>
              <Th>Last used</Th>
              <Th>Expires</Th>
              <Th>State</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {tokens.map((t) => (
              <tr key={t.id}>
                <Td>{t.name}</Td>
                <Td className="font-mono text-xs">{t.prefix}…</Td>
                <Td>{t.owner}</Td>
                <Td>
                  <Time value={t.lastUsedAt} />
                </Td>
                <Td>
                  <Time value={t.expiresAt} />
                </Td>
                <Td>
                  {t.revokedAt ? (
                    <span className="text-slate-500">revoked</span>
                  ) : (
                    <Button variant="secondary" disabled={pending} onClick={() => onRevoke(t.id, t.name)}>
                      Revoke
                    </Button>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
