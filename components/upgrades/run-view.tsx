"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import type { UpgradeDetail } from "@/lib/upgrades/list-upgrades";
import { CHECKLIST_ITEMS } from "@/lib/upgrades/runbook";
import { allowedActions, isLive, pastPointOfNoReturn } from "@/lib/upgrades/lifecycle";
import { Badge, statusTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Alert, Card } from "@/components/ui/card";
import { Time } from "@/components/ui/time";
import { postJson, useLiveRun, type LogLine } from "@/components/upgrades/use-run";
import { ShareStatusPage } from "@/components/status/share-status-page";
import { MonitoringCharts } from "@/components/upgrades/monitoring-charts";

export type RunPermissions = { run: boolean; approve: boolean; rollback: boolean; userEmail: string };

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

const STEP_ICON: Record<string, string> = { succeeded: "✓", failed: "✕", running: "●", waiting: "◐", skipped: "–", pending: "○", interrupted: "■" };

function StepRow({ step, index, logs, now }: { step: UpgradeDetail["steps"][number]; index: number; logs: LogLine[]; now: number }) {
  const [open, setOpen] = useState(false);
  const started = step.startedAt ? new Date(step.startedAt).getTime() : null;
  const ended = step.finishedAt ? new Date(step.finishedAt).getTime() : null;
  const elapsed = started ? ((ended ?? now) - started) / 1000 : null;
  const slow = elapsed !== null && elapsed > step.expectedSeconds;
  const shown = open ? logs : logs.slice(-3);
  return (
    <li data-testid={`step-${step.key}`} data-status={step.status} className="rounded-md border border-slate-200 bg-white px-3 py-2">
      <div className="flex flex-wrap items-center gap-3">
        <span aria-hidden className={`w-5 text-center font-bold ${step.status === "failed" ? "text-red-600" : step.status === "succeeded" ? "text-emerald-600" : step.status === "running" ? "animate-pulse text-brand-600" : "text-slate-400"}`}>
          {STEP_ICON[step.status] ?? "○"}
        </span>
        <span className="text-sm text-slate-500">{index + 1}.</span>
        <span className="font-medium">{step.title}</span>
        <Badge tone={statusTone(step.status)}>{step.status}</Badge>
        <span className={`ml-auto text-xs ${slow ? "text-amber-700" : "text-slate-500"}`}>
          {elapsed !== null ? `${duration(elapsed)} of ~${duration(step.expectedSeconds)} expected` : `~${duration(step.expectedSeconds)} expected`}
          {step.attempts > 1 ? ` · attempt ${step.attempts}` : ""}
        </span>
      </div>
      {step.error ? (
        <div className="mt-2 rounded bg-red-50 px-2 py-1 text-sm text-red-800" role="alert">
          <p className="whitespace-pre-wrap">{step.error}</p>
          {step.hint ? <p className="mt-1 font-medium">Runbook: {step.hint}</p> : null}
        </div>
      ) : null}
      {logs.length > 0 ? (
        <div className="mt-2">
          <pre className="max-h-64 overflow-auto rounded bg-slate-900 px-2 py-1 text-xs leading-5 break-words whitespace-pre-wrap text-slate-100" data-testid={`log-${step.key}`}>
            {shown.map((l) => `${l.at.slice(11, 19)} ${l.level === "error" ? "ERROR " : l.level === "warn" ? "WARN " : ""}${l.message}`).join("\n")}
          </pre>
          {logs.length > 3 ? (
            <button type="button" className="mt-1 text-xs text-brand-700 underline" onClick={() => setOpen(!open)}>
              {open ? "Show the last lines" : `Show all ${logs.length} lines`}
            </button>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

export function RunView({ initial, can }: { initial: UpgradeDetail; can: RunPermissions }) {
  const router = useRouter();
  const { run, logs, connected } = useLiveRun(initial);
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const [overrideReason, setOverrideReason] = useState("");
  const [comment, setComment] = useState("");
  const [acknowledged, setAcknowledged] = useState(false);
  const active = isLive(run.status);
  const now = useNow(active);

  const beforeMigrate = !pastPointOfNoReturn(run);
  const allowed = allowedActions(run, { isRequester: run.requestedBy === can.userEmail });
  const canCancel = can.run && allowed.cancel.ok;
  const canRollback = can.rollback && allowed.rollback.ok;
  const canDecide = can.approve && allowed.approve.ok;

  function act(url: string, body: unknown, done: string, confirmText?: string) {
    if (confirmText && !window.confirm(confirmText)) return;
    start(async () => {
      let res = await postJson(url, body);
      // A rollback that could restore a backup older than a later upgrade: the server says how old,
      // and it goes ahead only on the operator's explicit yes.
      const age = !res.ok && res.code === "conflict" ? (res.details as { backupAgeSeconds?: number } | undefined)?.backupAgeSeconds : undefined;
      if (!res.ok && age !== undefined && window.confirm(`${res.message}\n\nGo ahead anyway?`)) res = await postJson(url, { ...(body as object), acknowledgeDataLoss: true });
      setMessage(res.ok ? { tone: "success", text: done } : { tone: "error", text: res.message });
      if (res.ok) {
        const next = (res.data as { rollback?: { id: string } }).rollback?.id;
        if (next) router.push(`/upgrades/${next}`);
      }
    });
  }

  const base = `/api/superadmin/upgrades/${run.id}`;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <Badge tone={statusTone(run.status)}>
          <span data-testid="run-status">{run.status.replace("_", " ")}</span>
        </Badge>
        <span className={`text-xs ${connected ? "text-emerald-700" : "text-slate-500"}`} role="status">
          {connected ? "Live" : "Connecting…"}
        </span>
        {run.scheduledFor && (run.status === "scheduled" || run.status === "pending_approval") ? (
          <span className="text-sm text-slate-600" data-testid="scheduled-for">
            Starts at <Time value={run.scheduledFor} />
          </span>
        ) : null}
        {run.monitoringUntil && run.status === "monitoring" ? (
          <span className="text-sm text-slate-600">
            Monitoring until <Time value={run.monitoringUntil} />
          </span>
        ) : null}
        <div className="ml-auto flex flex-wrap gap-2">
          <ShareStatusPage createUrl={`${base}/status-page`} initial={run.statusPage} canManage={can.run} />
          {canCancel ? (
            <Button variant="secondary" disabled={pending} onClick={() => act(`${base}/cancel`, undefined, "Cancel requested: the instance returns untouched.", "Cancel this upgrade? The instance keeps its current version.")}>
              Cancel upgrade
            </Button>
          ) : null}
          {canRollback ? (
            <Button variant="secondary" disabled={pending} onClick={() => act(`${base}/rollback`, { reason: "Rolled back from the run page" }, "Rollback started.", "Roll this upgrade back with the runbook's rollback procedure?")}>
              Roll back
            </Button>
          ) : null}
          {can.rollback && run.kind === "upgrade" && !beforeMigrate && run.status !== "rolled_back" ? (
            <Button
              variant="danger"
              disabled={pending}
              onClick={() =>
                act(`/api/superadmin/instances/${run.instanceId}/rollback/emergency`, { reason: "Emergency rollback from the run page", upgradeId: run.id }, "Emergency rollback started.", `Emergency rollback of ${run.instanceName}: restore the pre-upgrade backup and redeploy ${run.fromVersion} now? Data written since the backup is lost, and on-call is paged.`)
              }
            >
              Emergency rollback
            </Button>
          ) : null}
        </div>
      </div>
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      {run.error ? <Alert>{run.error}</Alert> : null}

      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-2 lg:col-span-2">
          <h2 className="text-sm font-semibold text-slate-900">Steps</h2>
          <ol className="space-y-2" aria-label="Runbook steps">
            {run.steps.map((s, i) => (
              <StepRow key={s.key} step={s} index={i} logs={logs[s.key] ?? []} now={now} />
            ))}
          </ol>
        </div>
        <div className="space-y-6">
          {run.kind === "upgrade" ? (
            <Card title="Pre-upgrade checklist">
              <ul className="space-y-2 text-sm" aria-label="Checklist">
                {CHECKLIST_ITEMS.map((item) => {
                  const state = run.checklist.find((c) => c.key === item.key);
                  const tickable = can.run && !item.bySystem && !state?.checked && allowed.checklist.ok;
                  return (
                    <li key={item.key} className="flex items-start gap-2">
                      <input
                        type="checkbox"
                        id={`check-${item.key}`}
                        className="mt-0.5"
                        checked={!!state?.checked}
                        disabled={!tickable || pending}
                        onChange={() => act(`${base}/checklist`, { items: { [item.key]: true } }, `${item.label}: ticked.`)}
                      />
                      <label htmlFor={`check-${item.key}`}>
                        {item.label}
                        <span className="block text-xs text-slate-500">
                          {state?.checked ? `${state.checkedBy ?? "someone"} · ${state.checkedAt?.slice(0, 19).replace("T", " ")} UTC` : item.bySystem ? "ticked by the console when it passes" : "ticked by a person"}
                        </span>
                      </label>
                    </li>
                  );
                })}
              </ul>
              {run.checklistOverride ? <p className="mt-3 text-sm text-amber-800">Overridden by {run.checklistOverride.by}: {run.checklistOverride.reason}</p> : null}
              {run.status === "awaiting_checklist" ? (
                <p className="mt-3 text-sm font-medium text-amber-800" role="status">
                  Maintenance mode starts only when every item is ticked.
                </p>
              ) : null}
              {can.run && can.rollback && run.status === "awaiting_checklist" && !run.checklistOverride ? (
                <form
                  className="mt-3 space-y-2"
                  onSubmit={(e) => {
                    e.preventDefault();
                    act(`${base}/checklist`, { override: { reason: overrideReason } }, "Checklist overridden; the override is audited.");
                  }}
                >
                  <label htmlFor="override-reason" className="block text-xs font-medium text-slate-700">
                    Override with a written reason (superadmin)
                  </label>
                  <textarea id="override-reason" className="w-full rounded border border-slate-300 px-2 py-1 text-sm" rows={2} value={overrideReason} onChange={(e) => setOverrideReason(e.target.value)} minLength={10} required />
                  <Button type="submit" variant="secondary" disabled={pending || overrideReason.trim().length < 10}>
                    Override checklist
                  </Button>
                </form>
              ) : null}
            </Card>
          ) : null}
          {run.status === "pending_approval" ? (
            <Card title={`Approval (${run.approvals.filter((a) => a.decision === "approved").length}/${run.requiredApprovals})`}>
              <p className="text-sm text-slate-700">Rollback plan:</p>
              <p className="mt-1 rounded bg-slate-50 p-2 text-sm whitespace-pre-wrap">{run.rollbackPlan ?? "No rollback plan was written."}</p>
              {canDecide ? (
                <div className="mt-3 space-y-2">
                  <label htmlFor="decision-comment" className="block text-xs font-medium text-slate-700">
                    Comment
                  </label>
                  <textarea id="decision-comment" className="w-full rounded border border-slate-300 px-2 py-1 text-sm" rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
                  <label className="flex items-center gap-2 text-sm">
                    <input type="checkbox" checked={acknowledged} onChange={(e) => setAcknowledged(e.target.checked)} /> I have read the rollback plan
                  </label>
                  <div className="flex gap-2">
                    <Button disabled={pending || !acknowledged || !comment.trim()} onClick={() => act(`${base}/approve`, { comment, rollbackPlanAcknowledged: true }, "Approved.")}>
                      Approve
                    </Button>
                    <Button variant="danger" disabled={pending || !comment.trim()} onClick={() => act(`${base}/reject`, { comment }, "Rejected.")}>
                      Reject
                    </Button>
                  </div>
                </div>
              ) : (
                <p className="mt-3 text-sm text-slate-600">{run.requestedBy === can.userEmail ? "You requested this upgrade; another person approves it." : "An approver decides on this upgrade."}</p>
              )}
            </Card>
          ) : null}
          <Card title="Details">
            <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
              <dt className="text-slate-500">Instance</dt>
              <dd>
                <Link className="text-brand-700 underline" href={`/instances/${run.instanceId}`}>
                  {run.instanceName}
                </Link>
              </dd>
              <dt className="text-slate-500">Requested by</dt>
              <dd>{run.requestedBy ?? run.trigger.replace("_", " ")}</dd>
              <dt className="text-slate-500">Created</dt>
              <dd>
                <Time value={run.createdAt} />
              </dd>
              {run.policyReason ? (
                <>
                  <dt className="text-slate-500">Policy</dt>
                  <dd>{run.policyReason}</dd>
                </>
              ) : null}
              {run.parentId ? (
                <>
                  <dt className="text-slate-500">Rolls back</dt>
                  <dd>
                    <Link className="text-brand-700 underline" href={`/upgrades/${run.parentId}`}>
                      the upgrade
                    </Link>
                  </dd>
                </>
              ) : null}
              {run.children.map((c) => (
                <span key={c.id} className="contents">
                  <dt className="text-slate-500">{c.kind.replace("_", " ")}</dt>
                  <dd>
                    <Link className="text-brand-700 underline" href={`/upgrades/${c.id}`} data-testid="child-run-link">
                      {c.status.replace("_", " ")}
                    </Link>
                  </dd>
                </span>
              ))}
              {run.plan.length > 1 ? (
                <>
                  <dt className="text-slate-500">Path</dt>
                  <dd>
                    {run.plan.map((h) => (
                      <Link key={h.id} href={`/upgrades/${h.id}`} className={`mr-2 ${h.id === run.id ? "font-semibold" : "text-brand-700 underline"}`}>
                        {h.toVersion} ({h.status.replace("_", " ")})
                      </Link>
                    ))}
                  </dd>
                </>
              ) : null}
            </dl>
          </Card>
        </div>
      </div>
      {run.kind === "upgrade" && run.steps.some((s) => s.key === "monitor" && s.status !== "pending") ? <MonitoringCharts runId={run.id} live={run.status === "monitoring"} /> : null}
    </div>
  );
}
