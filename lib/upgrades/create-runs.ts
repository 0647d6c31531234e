import "server-only";
import type { Tx } from "@/lib/db";
import type { RunKind, RunTrigger, UpgradeStatus } from "@/generated/prisma/enums";
import { stepsForKind, CHECKLIST_ITEMS } from "@/lib/upgrades/runbook";
import { emitRunEvent } from "@/lib/events/run-events";
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

/** Writes a run with its runbook steps (and, for upgrades, the six checklist items). */
export async function insertRun(tx: Tx, n: NewRun): Promise<string> {
  const now = new Date();
  const run = await tx.upgradeRun.create({
    data: {
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
      ...(n.checklistOverride ? { checklistOverrideReason: n.checklistOverride.reason, checklistOverrideById: n.checklistOverride.byId, checklistOverrideAt: now } : {}),
      steps: { create: stepsForKind(n.kind).map((s, i) => ({ key: s.key, title: s.title, position: i, expectedSeconds: s.expectedSeconds })) },
    },
    select: { id: true },
  });
  if (n.kind === "upgrade") {
    const ticked = new Map((n.checklist ?? []).map((c) => [c.key, c]));
    await tx.checklistItem.createMany({
      data: CHECKLIST_ITEMS.map((c) => {
        const t = ticked.get(c.key);
        return { runId: run.id, key: c.key, checked: !!t, checkedById: t?.checkedById ?? null, bySystem: t?.bySystem ?? false, note: t?.note ?? null, checkedAt: t ? now : null };
      }),
    });
  }
  await emitRunEvent(tx, run.id, { type: "run_status", message: `Run created (${n.status})`, data: { status: n.status } });
  // The head of a plan stands for the request; later hops are told about as they start.
  if (n.kind === "upgrade" && (n.hopIndex ?? 0) === 0) {
    if (n.status === "pending_approval") await notifyRun(tx, run.id, "upgrade.requested", { reason: n.policyReason ?? null });
    if (n.status === "running") await notifyRun(tx, run.id, "upgrade.started");
  }
  return run.id;
}
