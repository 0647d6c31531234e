import "server-only";
import type { Tx } from "@/lib/db";
import type { RunKind, RunTrigger, UpgradeStatus } from "@/generated/prisma/enums";
import { stepsForKind, CHECKLIST_ITEMS } from "@/lib/upgrades/runbook";
import { emitRunEvent, type RunEventInput } from "@/lib/events/run-events";
import { notifyRun } from "@/lib/notifications/notify-run";

export type NewRun = {
  instanceId: string;
  kind: RunKind;
  fromVersion: string;
  toVersion: string;
  status: UpgradeStatus;
  trigger: RunTrigger;
  active: boolean;
  requestedById?: string | null;
  requestedByTokenId?: string | null;
  rollbackPlan?: string | null;
  urgent?: boolean;
  policyReason?: string | null;
  planId?: string | null;
  hopIndex?: number;
  parentRunId?: string | null;
  restoreBackupId?: string | null;
  scheduledFor?: Date | null;
  /** Items ticked at creation: by a person (checkedById), or by the console itself with a note. */
  checklist?: { key: string; checkedById: string | null; bySystem?: boolean; note?: string }[];
  checklistOverride?: { reason: string; byId: string | null } | null;
};

/** The rows of a new run, as both writers (one run, `insertRun`; a batch, create-runs-batch.ts) write them. */
export function prepareRun(n: NewRun, now: Date) {
  const run = {
    instanceId: n.instanceId,
    kind: n.kind,
    fromVersion: n.fromVersion,
    toVersion: n.toVersion,
    status: n.status,
    trigger: n.trigger,
    activeInstanceId: n.active ? n.instanceId : null,
    requestedById: n.requestedById ?? null,
    requestedByTokenId: n.requestedByTokenId ?? null,
    rollbackPlan: n.rollbackPlan ?? null,
    urgent: n.urgent ?? false,
    policyReason: n.policyReason ?? null,
    planId: n.planId ?? null,
    hopIndex: n.hopIndex ?? 0,
    parentRunId: n.parentRunId ?? null,
    restoreBackupId: n.restoreBackupId ?? null,
    scheduledFor: n.scheduledFor ?? null,
    startedAt: n.status === "running" ? now : null,
    checklistOverrideReason: n.checklistOverride?.reason ?? null,
    checklistOverrideById: n.checklistOverride ? n.checklistOverride.byId : null,
    checklistOverrideAt: n.checklistOverride ? now : null,
  };
  const steps = stepsForKind(n.kind).map((s, i) => ({ key: s.key, title: s.title, position: i, expectedSeconds: s.expectedSeconds }));
  const ticked = new Map((n.checklist ?? []).map((c) => [c.key, c]));
  const checklist =
    n.kind === "upgrade"
      ? CHECKLIST_ITEMS.map((c) => {
          const t = ticked.get(c.key);
          return { key: c.key, checked: !!t, checkedById: t?.checkedById ?? null, bySystem: t?.bySystem ?? false, note: t?.note ?? null, checkedAt: t ? now : null };
        })
      : [];
  const event: RunEventInput = { type: "run_status", message: `Run created (${n.status})`, data: { status: n.status } };
  // The head of a plan stands for the request; later hops are told about as they start.
  const head = n.kind === "upgrade" && (n.hopIndex ?? 0) === 0;
  const notify: { event: "upgrade.requested" | "upgrade.started"; extra: { reason?: string | null } } | null =
    head && n.status === "pending_approval" ? { event: "upgrade.requested", extra: { reason: n.policyReason ?? null } } : head && n.status === "running" ? { event: "upgrade.started", extra: {} } : null;
  return { run, steps, checklist, event, notify };
}

export type PreparedRun = ReturnType<typeof prepareRun>;

/** Writes a run with its runbook steps (and, for upgrades, the six checklist items). */
export async function insertRun(tx: Tx, n: NewRun): Promise<string> {
  const p = prepareRun(n, new Date());
  const run = await tx.upgradeRun.create({ data: { ...p.run, steps: { create: p.steps } }, select: { id: true } });
  if (p.checklist.length) await tx.checklistItem.createMany({ data: p.checklist.map((c) => ({ runId: run.id, ...c })) });
  await emitRunEvent(tx, run.id, p.event);
  if (p.notify) await notifyRun(tx, run.id, p.notify.event, p.notify.extra);
  return run.id;
}
