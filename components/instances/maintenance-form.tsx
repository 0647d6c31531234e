"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { setMaintenanceAction } from "@/lib/instances/actions";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { Alert } from "@/components/ui/card";

export function MaintenanceForm({ instanceId, enabled, locked }: { instanceId: string; enabled: boolean; locked: boolean }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);

  function toggle(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const message = String(new FormData(e.currentTarget).get("message") ?? "");
    start(async () => {
      const res = await setMaintenanceAction({ id: instanceId, maintenance: enabled ? { enabled: false } : { enabled: true, message: message || undefined } });
      if (res.ok) {
        setError(null);
        router.refresh();
      } else setError(res.message);
    });
  }

  if (locked) return <p className="text-sm text-slate-600">An upgrade run controls maintenance mode on this instance now.</p>;
  return (
    <form onSubmit={toggle} className="space-y-3" aria-label="Maintenance mode">
      {error ? <Alert>{error}</Alert> : null}
      {enabled ? null : (
        <Field label="Message shown to users" htmlFor="maintenance-message">
          <Input id="maintenance-message" name="message" maxLength={500} placeholder="System upgrade in progress. Expected completion: 30 minutes." />
        </Field>
      )}
      <Button type="submit" variant={enabled ? "secondary" : "danger"} disabled={pending}>
        {pending ? "Working…" : enabled ? "Exit maintenance mode" : "Enter maintenance mode"}
      </Button>
    </form>
  );
}
