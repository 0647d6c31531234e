import "server-only";
import { getDb, type Tx } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record-audit";
import { emitRunEvent } from "@/lib/events/run-events";
import { enqueueRun } from "@/lib/jobs/queue";
import { insertRun } from "@/lib/upgrades/create-runs";
import { notifyRunTransition } from "@/lib/notifications/notify-run";
import type { RunRow } from "@/lib/upgrades/engine/context";
import { isTerminal, RUN_TRANSITIONS, statusText, type RunTransition } from "@/lib/upgrades/lifecycle";
import { applyInstanceChange } from "@/lib/instances/apply-instance-change";
import type { UndoOutcome } from "@/lib/upgrades/engine/undo-pre-migrate";

const ENGINE = { type: "system" as const, label: "upgrade engine" };

/**
 * The one writer of a run's status: the named transition of the lifecycle table, made only from one
 * of its statuses, with its run event and its notification, in the caller's transaction. False
 * when the run was not in a status the transition leaves from.
 */
export async function applyTransition(tx: Tx, runId: string, name: RunTransition, details: { extra?: Record<string, unknown>; message?: string; data?: Record<string, unknown> } = {}): Promise<boolean> {
  const { from, to } = RUN_TRANSITIONS[name];
  const terminal = isTerminal(to);
  // Only a running run is executed: any other status gives the lease back in the same commit, so
  // nobody ever sees a run that waits (monitoring, the checklist) or ended still leased.
  const release = to !== "running" ? { leaseOwner: null, leaseExpiresAt: null } : {};
  const n = await tx.upgradeRun.updateMany({
    where: { id: runId, status: { in: [...from] } },
    data: { status: to, ...release, ...(terminal ? { finishedAt: new Date(), activeInstanceId: null } : {}), ...details.extra },
  });
  if (n.count === 0) return false;
  await emitRunEvent(tx, runId, { type: "run_status", message: details.message ?? `Run ${statusText(to)}`, data: { status: to, ...details.data } });
  await notifyRunTransition(tx, runId, from, to);
  return true;
}

/** Later hops of the same plan that never started are cancelled with their head. */
async function cancelLaterHops(tx: Tx, run: RunRow, why: string): Promise<void> {
  if (!run.planId) return;
  const later = await tx.upgradeRun.findMany({ where: { planId: run.planId, hopIndex: { gt: run.hopIndex }, status: "scheduled" }, select: { id: true } });
  for (const l of later) await applyTransition(tx, l.id, "cancel_later_hop", { message: why });
}

/** The upgrade finished every step: succeed it, and start the next hop of its plan if any. */
export async function completeUpgrade(run: RunRow): Promise<void> {
  await getDb().$transaction(async (tx) => {
    if (!(await applyTransition(tx, run.id, "succeed"))) return;
    await applyInstanceChange(tx, run.instanceId, "run_succeeded", { version: run.toVersion });
    await recordAudit(tx, ENGINE, { action: "instance.upgrade.succeed", resourceType: "instance", resourceId: run.instanceId, metadata: { upgradeId: run.id, from: run.fromVersion, to: run.toVersion } });
    const next = run.planId ? await tx.upgradeRun.findFirst({ where: { planId: run.planId, hopIndex: run.hopIndex + 1, status: "scheduled" } }) : null;
    if (next) {
      // Through applyTransition, like every status change: its event, and its "started" notification.
      await applyTransition(tx, next.id, "start_next_hop", { extra: { activeInstanceId: run.instanceId, startedAt: new Date() }, message: `Hop ${next.hopIndex + 1} starts after ${run.toVersion}` });
      // The people who ticked the checklist for the plan ticked it for every hop.
      const manual = await tx.checklistItem.findMany({ where: { runId: run.id, bySystem: false, checked: true } });
      for (const m of manual) await tx.checklistItem.updateMany({ where: { runId: next.id, key: m.key }, data: { checked: true, checkedById: m.checkedById, checkedAt: m.checkedAt } });
      if (run.checklistOverrideAt) await tx.upgradeRun.update({ where: { id: next.id }, data: { checklistOverrideAt: run.checklistOverrideAt, checklistOverrideById: run.checklistOverrideById, checklistOverrideReason: run.checklistOverrideReason } });
      await enqueueRun(next.id, tx);
    }
  });
}

/**
 * A failure before `migrate`, or a cancel: the old version keeps running; the run ends. When the
 * undo of maintenance mode did not go through, the instance is marked as needing attention.
 */
export async function endBeforeMigrate(run: RunRow, to: "failed" | "cancelled", error: string | null, undo: UndoOutcome = { undone: true }): Promise<void> {
  await getDb().$transaction(async (tx) => {
    if (!(await applyTransition(tx, run.id, to === "cancelled" ? "cancel_before_migrate" : "fail_before_migrate", { extra: { error } }))) return;
    const inMaintenance = !undo.undone && (await tx.upgradeStep.count({ where: { runId: run.id, key: "maintenance_on", status: { not: "pending" } } })) > 0;
    if (undo.undone) await applyInstanceChange(tx, run.instanceId, "undone_before_migrate");
    else await applyInstanceChange(tx, run.instanceId, inMaintenance ? "left_in_maintenance" : "left_active", { attentionReason: undo.reason });
    await cancelLaterHops(tx, run, `Cancelled: hop ${run.hopIndex + 1} ${to}`);
    await recordAudit(tx, ENGINE, { action: to === "cancelled" ? "instance.upgrade.cancel" : "instance.upgrade.fail", resourceType: "instance", resourceId: run.instanceId, result: to === "cancelled" ? "success" : "failure", metadata: { upgradeId: run.id, from: run.fromVersion, to: run.toVersion, error, ...(undo.undone ? {} : { needsAttention: undo.reason }) } });
  });
}

/**
 * A failure from `migrate` on: follow the rollback procedure automatically when the instance's
 * policy says so (the default), otherwise leave the run failed for an operator to roll back.
 */
export async function failAfterMigrate(run: RunRow, error: string): Promise<void> {
  await getDb().$transaction(async (tx) => {
    await cancelLaterHops(tx, run, "Cancelled: an earlier hop failed");
    if (!run.instance.autoRollback) {
      if (!(await applyTransition(tx, run.id, "fail", { extra: { error } }))) return;
      await applyInstanceChange(tx, run.instanceId, "run_failed");
      await recordAudit(tx, ENGINE, { action: "instance.upgrade.fail", resourceType: "instance", resourceId: run.instanceId, result: "failure", metadata: { upgradeId: run.id, error, autoRollback: false } });
      return;
    }
    if (!(await applyTransition(tx, run.id, "roll_back_automatically", { extra: { error, activeInstanceId: null }, message: "Rolling back automatically (instance policy)" }))) return;
    await startRollbackRun(tx, run, { trigger: "auto_rollback", reason: `Upgrade failed: ${error.split("\n")[0]}`, actor: ENGINE });
  });
}

/** Creates and queues the rollback run for an upgrade (inside the caller's transaction). */
export async function startRollbackRun(tx: Tx, upgrade: Pick<RunRow, "id" | "instanceId" | "fromVersion" | "toVersion">, opts: { trigger: "auto_rollback" | "manual" | "api"; reason: string; actor: Parameters<typeof recordAudit>[1]; requestedById?: string | null; acknowledgedOlderBackup?: boolean }): Promise<string> {
  const backup = await tx.backup.findFirst({ where: { upgradeRunId: upgrade.id, status: "completed" }, orderBy: { createdAt: "desc" } });
  await applyInstanceChange(tx, upgrade.instanceId, "rollback_begins");
  const id = await insertRun(tx, {
    instanceId: upgrade.instanceId,
    kind: "rollback",
    fromVersion: upgrade.toVersion,
    toVersion: upgrade.fromVersion,
    status: "running",
    trigger: opts.trigger,
    active: true,
    parentRunId: upgrade.id,
    restoreBackupId: backup?.id ?? null,
    policyReason: opts.reason,
    requestedById: opts.requestedById ?? null,
  });
  await recordAudit(tx, opts.actor, { action: "instance.upgrade.rollback.start", resourceType: "instance", resourceId: upgrade.instanceId, metadata: { upgradeId: upgrade.id, rollbackId: id, reason: opts.reason, backupId: backup?.id ?? null, ...(opts.acknowledgedOlderBackup ? { acknowledgedOlderBackup: true, backupTakenAt: backup?.createdAt.toISOString() ?? null } : {}) } });
  await enqueueRun(id, tx);
  return id;
}

/** A rollback or emergency rollback run finished all its steps. */
export async function completeRollback(run: RunRow): Promise<void> {
  await getDb().$transaction(async (tx) => {
    if (!(await applyTransition(tx, run.id, "succeed"))) return;
    if (run.parentRunId) await applyTransition(tx, run.parentRunId, "rolled_back", { message: `Rolled back to ${run.toVersion}` });
    await applyInstanceChange(tx, run.instanceId, "run_succeeded", { version: run.toVersion });
    if (run.kind === "emergency_rollback") {
      await recordAudit(tx, ENGINE, { action: "instance.upgrade.rollback.emergency", resourceType: "instance", resourceId: run.instanceId, metadata: { rollbackId: run.id, to: run.toVersion, upgradeId: run.parentRunId } });
    }
  });
}

export async function failRollback(run: RunRow, error: string): Promise<void> {
  await getDb().$transaction(async (tx) => {
    if (!(await applyTransition(tx, run.id, "fail", { extra: { error } }))) return;
    if (run.parentRunId) await applyTransition(tx, run.parentRunId, "rollback_failed", { message: "The rollback failed" });
    await applyInstanceChange(tx, run.instanceId, "run_failed");
    await recordAudit(tx, ENGINE, { action: "instance.upgrade.rollback", resourceType: "instance", resourceId: run.instanceId, result: "failure", metadata: { rollbackId: run.id, error } });
  });
}
