"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Field, Select } from "@/components/ui/field";
import { Alert } from "@/components/ui/card";
import { postJson } from "@/components/upgrades/use-run";

const MANUAL = [
  { key: "maintenanceWindowScheduled", label: "Maintenance window scheduled" },
  { key: "stakeholdersNotified", label: "Stakeholders notified" },
  { key: "rollbackPlanPrepared", label: "Rollback plan prepared" },
] as const;

export function UpgradeForm({ instanceId, targets, frozen }: { instanceId: string; targets: { version: string; label: string }[]; frozen: boolean }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);

  if (targets.length === 0) return <p className="text-sm text-slate-600">No newer release is available for this instance.</p>;

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const plan = String(f.get("rollbackPlan") ?? "").trim();
    const checklist = Object.fromEntries(MANUAL.filter((m) => f.get(m.key) === "on").map((m) => [m.key, true]));
    const when = String(f.get("scheduledFor") ?? "");
    const override = String(f.get("securityOverride") ?? "").trim();
    start(async () => {
      const res = await postJson(`/api/superadmin/instances/${instanceId}/upgrades`, {
        targetVersion: String(f.get("targetVersion")),
        ...(plan ? { rollbackPlan: plan } : {}),
        checklist,
        // datetime-local is the browser's local time; the API takes an instant.
        ...(when ? { scheduledFor: new Date(when).toISOString() } : {}),
        ...(override ? { securityOverride: { reason: override } } : {}),
      });
      if (!res.ok) {
        setError(res.message);
        return;
      }
      router.push(`/upgrades/${(res.data as { upgrade: { id: string } }).upgrade.id}`);
    });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-3" aria-label="Start an upgrade">
      {error ? <Alert>{error}</Alert> : null}
      <Field label="Target version" htmlFor="targetVersion">
        <Select id="targetVersion" name="targetVersion" defaultValue={targets[0]?.version}>
          {targets.map((t) => (
            <option key={t.version} value={t.version}>
              {t.label}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Rollback plan" htmlFor="rollbackPlan" hint="What to do if the upgrade goes wrong; approvers read it.">
        <textarea id="rollbackPlan" name="rollbackPlan" rows={3} maxLength={5000} className="block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm" defaultValue="Roll back with the runbook's procedure: migrations down, restore the pre-upgrade backup if needed, redeploy the previous version." />
      </Field>
      <Field label="Start at (optional)" htmlFor="scheduledFor" hint="Empty: as soon as the channel policy allows (now, or the next maintenance window).">
        <input id="scheduledFor" name="scheduledFor" type="datetime-local" className="block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm" />
      </Field>
      {frozen ? (
        <Field label="Security override reason" htmlFor="securityOverride" hint="The channel is frozen: only a critical security patch may pass, with your written reason. It is audited.">
          <textarea id="securityOverride" name="securityOverride" rows={2} maxLength={2000} className="block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm" />
        </Field>
      ) : null}
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium text-slate-800">Checklist items you have done</legend>
        {MANUAL.map((m) => (
          <label key={m.key} className="flex items-center gap-2 text-sm">
            <input type="checkbox" name={m.key} /> {m.label}
          </label>
        ))}
        <p className="text-xs text-slate-500">The console ticks the backup, compatibility and dependencies itself. Unticked items can be ticked on the run page; maintenance mode waits for all six.</p>
      </fieldset>
      <Button type="submit" disabled={pending}>
        {pending ? "Starting…" : "Start upgrade"}
      </Button>
    </form>
  );
}

export function InstanceOps({ instanceId, instanceName, canEmergency, hasBackup }: { instanceId: string; instanceName: string; canEmergency: boolean; hasBackup: boolean }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);

  function backup() {
    start(async () => {
      const res = await postJson(`/api/superadmin/instances/${instanceId}/backup`);
      setMessage(res.ok ? { tone: "success", text: "Backup queued; it appears below when it completes." } : { tone: "error", text: res.message });
      router.refresh();
    });
  }

  function emergency() {
    if (!window.confirm(`Emergency rollback of ${instanceName}: restore the last pre-upgrade backup and redeploy the previous version now? Data written since that backup is lost, and on-call is paged.`)) return;
    start(async () => {
      const url = `/api/superadmin/instances/${instanceId}/rollback/emergency`;
      let res = await postJson(url, { reason: "Emergency rollback from the instance page" });
      // The latest upgrade is already undone: an older backup is offered, and only taken on an
      // explicit confirmation that names its age.
      const older = !res.ok && res.code === "conflict" ? (res.details as { olderBackups?: { backupId: string; takenAt: string; from: string; to: string }[] } | undefined)?.olderBackups?.[0] : undefined;
      if (!res.ok && older && window.confirm(`${res.message}\n\nRestore the backup taken at ${older.takenAt.replace("T", " ").slice(0, 16)} UTC (before ${older.from} → ${older.to}) and go back to ${older.from}? Everything written since that backup is lost.`)) {
        res = await postJson(url, { reason: "Emergency rollback to an older backup, from the instance page", olderBackup: { backupId: older.backupId, acknowledgeDataLoss: true } });
      }
      if (res.ok) router.push(`/upgrades/${(res.data as { rollback: { id: string } }).rollback.id}`);
      else setMessage({ tone: "error", text: res.message });
    });
  }

  return (
    <div className="space-y-3">
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" disabled={pending} onClick={backup}>
          Back up now
        </Button>
        {canEmergency ? (
          <Button variant="danger" disabled={pending || !hasBackup} onClick={emergency} title={hasBackup ? undefined : "No upgrade with a verified backup to roll back to"}>
            Emergency rollback
          </Button>
        ) : null}
      </div>
    </div>
  );
}
