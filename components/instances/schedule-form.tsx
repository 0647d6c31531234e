"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { updateInstanceAction } from "@/lib/instances/actions";
import { Button } from "@/components/ui/button";
import { Field, Input, Select } from "@/components/ui/field";
import { Alert } from "@/components/ui/card";

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

type Row = { key: number; dayOfWeek: number; start: string; durationMinutes: number };

export type ScheduleValues = {
  timezone: string;
  windows: { dayOfWeek: number; start: string; durationMinutes: number }[];
  requiredApprovals: number;
  autoRollback: boolean;
};

/** Weekly maintenance windows (in the instance's zone), approvals required, and auto-rollback. */
export function ScheduleForm({ instanceId, initial }: { instanceId: string; initial: ScheduleValues }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [rows, setRows] = useState<Row[]>(initial.windows.map((w, i) => ({ key: i, ...w })));
  const [nextKey, setNextKey] = useState(initial.windows.length);
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});

  function update(key: number, patch: Partial<Row>) {
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  }

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    start(async () => {
      const res = await updateInstanceAction({
        id: instanceId,
        changes: {
          maintenanceWindow: { timezone: String(form.get("timezone") ?? "").trim(), windows: rows.map(({ dayOfWeek, start, durationMinutes }) => ({ dayOfWeek, start, durationMinutes })) },
          requiredApprovals: Number(form.get("requiredApprovals")),
          autoRollback: form.get("autoRollback") === "on",
        },
      });
      if (res.ok) {
        setFieldErrors({});
        setMessage({ tone: "success", text: "Saved. Scheduled runs use the new windows from their next check; the change is in the audit log." });
        router.refresh();
      } else {
        const errs: Record<string, string[]> = {};
        for (const [k, v] of Object.entries(res.fieldErrors ?? {})) errs[k.replace(/^changes\.(maintenanceWindow\.)?/, "")] = v;
        setFieldErrors(errs);
        setMessage({ tone: "error", text: res.message });
      }
    });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label="Maintenance windows and approvals">
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <Field label="Time zone" htmlFor="timezone" error={fieldErrors.timezone} hint="IANA name, such as Africa/Lagos. Windows are read in this zone, daylight saving included.">
        <Input id="timezone" name="timezone" defaultValue={initial.timezone} required invalid={!!fieldErrors.timezone} />
      </Field>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-800">Weekly windows</legend>
        {rows.length === 0 ? <p className="text-sm text-slate-600">No windows: automatic updates other than security patches never run; manual requests run at once.</p> : null}
        {rows.map((r, i) => (
          <div key={r.key} className="flex flex-wrap items-end gap-2" data-testid="window-row">
            <label className="text-xs text-slate-600">
              Day
              <Select aria-label={`Window ${i + 1} day`} value={r.dayOfWeek} onChange={(e) => update(r.key, { dayOfWeek: Number(e.target.value) })}>
                {DAYS.map((d, n) => (
                  <option key={d} value={n}>
                    {d}
                  </option>
                ))}
              </Select>
            </label>
            <label className="text-xs text-slate-600">
              Starts
              <Input aria-label={`Window ${i + 1} start`} type="time" required value={r.start} onChange={(e) => update(r.key, { start: e.target.value })} />
            </label>
            <label className="text-xs text-slate-600">
              Minutes
              <Input aria-label={`Window ${i + 1} minutes`} type="number" min={15} max={1440} required value={r.durationMinutes} onChange={(e) => update(r.key, { durationMinutes: Number(e.target.value) })} />
            </label>
            <Button variant="secondary" onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}>
              Remove
            </Button>
            {fieldErrors[`windows.${i}.start`] ?? fieldErrors[`windows.${i}.durationMinutes`] ? (
              <p className="w-full text-xs text-red-700">{[...(fieldErrors[`windows.${i}.start`] ?? []), ...(fieldErrors[`windows.${i}.durationMinutes`] ?? [])].join(" ")}</p>
            ) : null}
          </div>
        ))}
        <Button
          variant="secondary"
          disabled={rows.length >= 14}
          onClick={() => {
            setRows((rs) => [...rs, { key: nextKey, dayOfWeek: 0, start: "02:00", durationMinutes: 120 }]);
            setNextKey((k) => k + 1);
          }}
        >
          Add a window
        </Button>
        {fieldErrors.windows ? <p className="text-xs text-red-700">{fieldErrors.windows.join(" ")}</p> : null}
      </fieldset>
      <Field label="Approvals required" htmlFor="requiredApprovals" error={fieldErrors.requiredApprovals} hint="How many different approvers a manual-approval request needs.">
        <Input id="requiredApprovals" name="requiredApprovals" type="number" min={1} max={5} defaultValue={initial.requiredApprovals} required invalid={!!fieldErrors.requiredApprovals} />
      </Field>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="autoRollback" defaultChecked={initial.autoRollback} />
        Roll back automatically when a step from migrate on fails
      </label>
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </Button>
    </form>
  );
}
