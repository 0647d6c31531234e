"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { createFreezeAction, deleteFreezeAction } from "@/lib/channels/actions";
import type { FreezeDto } from "@/lib/channels/freeze-periods";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { Alert } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";

/** Change freezes: dated periods in which nothing runs, for one instance or the whole fleet. */
export function FreezeManager({ instanceId, freezes, canManage }: { instanceId: string | null; freezes: FreezeDto[]; canManage: boolean }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});

  function toIso(local: FormDataEntryValue | null): string {
    const d = new Date(String(local ?? ""));
    return Number.isNaN(d.getTime()) ? "" : d.toISOString();
  }

  function onCreate(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    start(async () => {
      const res = await createFreezeAction({
        instanceId: instanceId && form.get("scope") !== "fleet" ? instanceId : null,
        startsAt: toIso(form.get("startsAt")),
        endsAt: toIso(form.get("endsAt")),
        reason: String(form.get("reason") ?? ""),
      });
      if (res.ok) {
        setFieldErrors({});
        setMessage({ tone: "success", text: "Freeze added. Nothing starts during it; scheduled runs move to after it." });
        formEl.reset();
        router.refresh();
      } else {
        setFieldErrors(res.fieldErrors ?? {});
        setMessage({ tone: "error", text: res.message });
      }
    });
  }

  function onDelete(f: FreezeDto) {
    if (!window.confirm(`Remove the freeze "${f.reason}"? Runs may start during that period again.`)) return;
    start(async () => {
      const res = await deleteFreezeAction({ id: f.id });
      setMessage(res.ok ? { tone: "success", text: "Freeze removed." } : { tone: "error", text: res.message });
      if (res.ok) router.refresh();
    });
  }

  return (
    <div className="space-y-4">
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      {freezes.length === 0 ? (
        <p className="text-sm text-slate-600">No change freeze is planned.</p>
      ) : (
        <ul className="space-y-2 text-sm" aria-label="Change freezes">
          {freezes.map((f) => (
            <li key={f.id} className="flex flex-wrap items-center gap-2">
              {f.active ? <Badge tone="red">in force</Badge> : <Badge tone="gray">planned</Badge>}
              <span>
                <Time value={f.startsAt} /> → <Time value={f.endsAt} />
              </span>
              <span className="text-slate-700">{f.reason}</span>
              <span className="text-xs text-slate-500">{f.instanceId ? (f.instanceName ?? "this instance") : "whole fleet"}</span>
              {canManage ? (
                <Button variant="secondary" disabled={pending} onClick={() => onDelete(f)} aria-label={`Remove freeze ${f.reason}`}>
                  Remove
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {canManage ? (
        <form onSubmit={onCreate} className="grid gap-3 sm:grid-cols-2" aria-label="Add a change freeze">
          <Field label="Starts" htmlFor="freeze-startsAt" error={fieldErrors.startsAt}>
            <Input id="freeze-startsAt" name="startsAt" type="datetime-local" required invalid={!!fieldErrors.startsAt} />
          </Field>
          <Field label="Ends" htmlFor="freeze-endsAt" error={fieldErrors.endsAt}>
            <Input id="freeze-endsAt" name="endsAt" type="datetime-local" required invalid={!!fieldErrors.endsAt} />
          </Field>
          <div className="sm:col-span-2">
            <Field label="Reason" htmlFor="freeze-reason" error={fieldErrors.reason}>
              <Input id="freeze-reason" name="reason" required minLength={3} maxLength={500} placeholder="End-of-year trading peak" invalid={!!fieldErrors.reason} />
            </Field>
          </div>
          {instanceId ? (
            <fieldset className="flex gap-4 text-sm sm:col-span-2">
              <legend className="sr-only">Scope</legend>
              <label className="flex items-center gap-1">
                <input type="radio" name="scope" value="instance" defaultChecked /> This instance
              </label>
              <label className="flex items-center gap-1">
                <input type="radio" name="scope" value="fleet" /> Whole fleet
              </label>
            </fieldset>
          ) : null}
          <div className="sm:col-span-2">
            <Button type="submit" disabled={pending}>
              {pending ? "Saving…" : "Add freeze"}
            </Button>
          </div>
        </form>
      ) : null}
    </div>
  );
}
