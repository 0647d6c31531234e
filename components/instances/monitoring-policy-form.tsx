"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { updateInstanceAction } from "@/lib/instances/actions";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { Alert } from "@/components/ui/card";

type Policy = { monitoringWindowMinutes: number; rollbackOnMonitoringBreach: boolean };

/** The instance's post-upgrade monitoring policy: the window, and whether a breach rolls back. */
export function MonitoringPolicyForm({ instanceId, policy }: { instanceId: string; policy: Policy }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [result, setResult] = useState<{ ok: boolean; text: string; fields: Record<string, string[]> } | null>(null);

  function save(form: HTMLFormElement) {
    const data = new FormData(form);
    const changes = { monitoringWindowMinutes: Math.round(Number(data.get("monitoringWindowHours")) * 60), rollbackOnMonitoringBreach: data.get("rollbackOnMonitoringBreach") === "on" };
    start(async () => {
      const res = await updateInstanceAction({ id: instanceId, changes });
      if (!res.ok) {
        const minutes = res.fieldErrors?.["changes.monitoringWindowMinutes"];
        setResult({ ok: false, text: res.message, fields: minutes ? { monitoringWindowHours: minutes } : {} });
        return;
      }
      setResult({ ok: true, text: "Saved. It applies from the next upgrade's monitoring window, and it is in the audit log.", fields: {} });
      router.refresh();
    });
  }

  return (
    <form
      aria-label="Monitoring policy"
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        save(e.currentTarget);
      }}
    >
      {result ? <Alert tone={result.ok ? "success" : "error"}>{result.text}</Alert> : null}
      <Field label="Monitoring window (hours)" htmlFor="monitoringWindowHours" error={result?.fields.monitoringWindowHours} hint="Runbook step 11 watches 24 to 48 hours after an upgrade. From 5 minutes to 7 days.">
        <Input id="monitoringWindowHours" name="monitoringWindowHours" type="number" min={0.1} max={168} step="any" required defaultValue={Math.round((policy.monitoringWindowMinutes / 60) * 100) / 100} invalid={!!result?.fields.monitoringWindowHours} />
      </Field>
      <label className="flex items-start gap-2 text-sm text-slate-800">
        <input type="checkbox" name="rollbackOnMonitoringBreach" defaultChecked={policy.rollbackOnMonitoringBreach} className="mt-0.5" />
        <span>Roll back automatically when a metric breaches its threshold during the window (otherwise an alert is raised for an operator).</span>
      </label>
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Update monitoring policy"}
      </Button>
    </form>
  );
}
