import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { actorUserId, requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import { emitRunEvent } from "@/lib/events/run-events";
import { enqueueRun } from "@/lib/jobs/queue";
import { notifyRun } from "@/lib/notifications/notify-run";
import { applyTransition, startRollbackRun } from "@/lib/upgrades/engine/transitions";
import { allowedActions, statusText, type RunAction, type RunState } from "@/lib/upgrades/lifecycle";
import type { ChecklistUpdate } from "@/lib/upgrades/schemas";
import type { ChecklistKey } from "@/generated/prisma/enums";

async function lockRun(tx: Parameters<Parameters<ReturnType<typeof getDb>["$transaction"]>[0]>[0], id: string) {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM upgrade_runs WHERE id = ${id} FOR UPDATE`;
  if (rows.length === 0) throw new AppError("not_found", `No upgrade with id ${id}.`);
  return tx.upgradeRun.findUniqueOrThrow({ where: { id }, include: { steps: true, checklistItems: true, instance: true, approvals: true } });
}

/** Refuses (409, with the lifecycle's reason) an action the run does not allow in its state. */
function requireAllowed(run: Omit<RunState, "cancelRequested"> & { cancelRequestedAt: Date | null }, action: RunAction, viewer: { isRequester?: boolean } = {}): void {
  // A repeated cancel is answered as the first was (the worker is woken again), not refused.
  const state = { ...run, cancelRequested: action === "cancel" ? false : run.cancelRequestedAt !== null };
  const allowed = allowedActions(state, viewer)[action];
  if (!allowed.ok) throw new AppError(allowed.code, allowed.reason);
}

/** A person ticks checklist items, or a superadmin overrides the gate with a written reason. */
export async function updateChecklist(opts: { actor: Actor | null; runId: string; input: ChecklistUpdate }) {
  requirePermission(opts.actor, "upgrade:run");
  const { actor, runId, input } = opts;
  return getDb().$transaction(async (tx) => {
    const run = await lockRun(tx, runId);
    requireAllowed(run, "checklist");
    const userId = actorUserId(actor);
    if ("override" in input) {
      if (actor.type !== "system" && actor.role !== "superadmin") throw new AppError("forbidden", "Only a superadmin may override the checklist.");
      await tx.upgradeRun.update({ where: { id: runId }, data: { checklistOverrideReason: input.override.reason, checklistOverrideById: userId, checklistOverrideAt: new Date() } });
      await emitRunEvent(tx, runId, { type: "checklist", level: "warn", message: `Checklist overridden: ${input.override.reason}`, data: { override: true } });
      await recordAudit(tx, actor, { action: "instance.upgrade.checklist.override", resourceType: "upgrade", resourceId: runId, metadata: { reason: input.override.reason, instanceId: run.instanceId } });
    } else {
      const keys = Object.keys(input.items) as ChecklistKey[];
      if (keys.includes("rollbackPlanPrepared") && !run.rollbackPlan) throw new AppError("validation_failed", "Write the rollback plan before ticking rollbackPlanPrepared.", { fieldErrors: { rollbackPlanPrepared: ["needs a rollback plan on the upgrade"] } });
      const n = await tx.checklistItem.updateMany({ where: { runId, key: { in: keys }, checked: false }, data: { checked: true, bySystem: false, checkedById: userId, checkedAt: new Date() } });
      if (n.count > 0) {
        await emitRunEvent(tx, runId, { type: "checklist", message: `Checklist: ${keys.join(", ")} ticked`, data: { keys } });
        await recordAudit(tx, actor, { action: "instance.upgrade.checklist.tick", resourceType: "upgrade", resourceId: runId, metadata: { items: keys, instanceId: run.instanceId } });
      }
    }
    const items = await tx.checklistItem.findMany({ where: { runId } });
    const fresh = await tx.upgradeRun.findUniqueOrThrow({ where: { id: runId } });
    const open = fresh.checklistOverrideAt !== null || items.every((i) => i.checked);
    if (open && fresh.status === "awaiting_checklist") {
      await applyTransition(tx, runId, "checklist_complete", { message: "Checklist complete: continuing" });
      await enqueueRun(runId, tx);
    }
    return { items: items.map((i) => ({ key: i.key, checked: i.checked, bySystem: i.bySystem, checkedAt: i.checkedAt?.toISOString() ?? null })), gateOpen: open };
  });
}

/** Cancel before `migrate`: the instance returns untouched. Later, rolling back is the way out. */
export async function cancelUpgrade(opts: { actor: Actor | null; runId: string }) {
  requirePermission(opts.actor, "upgrade:run");
  const { actor, runId } = opts;
  return getDb().$transaction(async (tx) => {
    const run = await lockRun(tx, runId);
    requireAllowed(run, "cancel");
    await recordAudit(tx, actor, { action: "instance.upgrade.cancel.request", resourceType: "upgrade", resourceId: runId, metadata: { instanceId: run.instanceId, status: run.status } });
    switch (run.status) {
      case "pending_approval":
      case "approved":
      case "scheduled":
        await applyTransition(tx, runId, "cancel_unstarted", { extra: { cancelRequestedAt: new Date() }, message: "Cancelled before it started" });
        return { status: "cancelled" as const };
      case "running":
      case "awaiting_checklist":
        // The worker undoes maintenance mode and the paused queue, then ends the run.
        if (run.status === "awaiting_checklist") {
          await applyTransition(tx, runId, "cancel_while_waiting", { extra: { cancelRequestedAt: new Date() }, message: "Cancel requested", data: { cancelRequested: true } });
        } else {
          await tx.upgradeRun.update({ where: { id: runId }, data: { cancelRequestedAt: new Date() } });
          await emitRunEvent(tx, runId, { type: "run_status", message: "Cancel requested", data: { status: "running", cancelRequested: true } });
        }
        await enqueueRun(runId, tx);
        return { status: "cancelling" as const };
      default:
        throw new AppError("conflict", `An upgrade that is ${statusText(run.status)} cannot be cancelled.`);
    }
  });
}

/** An operator starts the runbook's rollback procedure for an upgrade. */
export async function rollbackUpgrade(opts: { actor: Actor | null; runId: string; reason?: string; acknowledgeDataLoss?: boolean }) {
  requirePermission(opts.actor, "rollback:run");
  const { actor, runId } = opts;
  return getDb().$transaction(async (tx) => {
    const run = await lockRun(tx, runId);
    requireAllowed(run, "rollback");
    const active = await tx.upgradeRun.findFirst({ where: { activeInstanceId: run.instanceId, id: { not: run.id } }, select: { id: true } });
    if (active) throw new AppError("conflict", `The instance has another active run (${active.id}).`, { activeUpgradeId: active.id });
    const later = await tx.upgradeRun.findFirst({ where: { instanceId: run.instanceId, kind: "upgrade", createdAt: { gt: run.createdAt }, startedAt: { not: null } }, orderBy: { createdAt: "desc" } });
    if (later && ["succeeded", "monitoring"].includes(later.status)) throw new AppError("conflict", "A later upgrade has run on this instance since; roll that one back first.");
    // A later upgrade started (and ended) since: should migrating down fail, this rollback would
    // restore a backup older than that upgrade's, losing what was written since. Only on request.
    const backup = later ? await tx.backup.findFirst({ where: { upgradeRunId: run.id, status: "completed" }, orderBy: { createdAt: "desc" } }) : null;
    if (later && backup && !opts.acknowledgeDataLoss) {
      const ageSeconds = Math.round((Date.now() - backup.createdAt.getTime()) / 1000);
      throw new AppError("conflict", `A later upgrade (${later.fromVersion} → ${later.toVersion}, ${statusText(later.status)}) ran since; if migrating down fails, this rollback restores a backup taken ${Math.round(ageSeconds / 60)} min ago and loses everything written since. Send acknowledgeDataLoss: true to go ahead.`, { backupId: backup.id, backupTakenAt: backup.createdAt.toISOString(), backupAgeSeconds: ageSeconds, laterUpgradeId: later.id });
    }
    await applyTransition(tx, run.id, "roll_back_on_request", { extra: { activeInstanceId: null }, message: "Rollback requested" });
    const id = await startRollbackRun(tx, run, { trigger: actor.type === "token" ? "api" : "manual", reason: opts.reason ?? "Rolled back by an operator", actor, requestedById: actorUserId(actor), ...(later && backup ? { acknowledgedOlderBackup: true } : {}) });
    return { rollback: { id, status: "running" } };
  });
}

/** Four eyes: the requester never approves; enough approvals start the run. */
export async function approveUpgrade(opts: { actor: Actor | null; runId: string; comment: string }) {
  requirePermission(opts.actor, "upgrade:approve");
  const { actor, runId } = opts;
  const userId = actorUserId(actor);
  if (!userId) throw new AppError("forbidden", "An approval needs a person.");
  return getDb().$transaction(async (tx) => {
    const run = await lockRun(tx, runId);
    requireAllowed(run, "approve", { isRequester: run.requestedById === userId });
    if (run.approvals.some((a) => a.approverId === userId)) throw new AppError("conflict", "You have already decided on this upgrade.");
    await tx.approval.create({ data: { runId, approverId: userId, decision: "approved", comment: opts.comment, rollbackPlanAcknowledged: true } });
    const approvals = run.approvals.filter((a) => a.decision === "approved").length + 1;
    await emitRunEvent(tx, runId, { type: "approval", message: `Approved (${approvals}/${run.instance.requiredApprovals}): ${opts.comment}`, data: { decision: "approved", approvals } });
    await recordAudit(tx, actor, { action: "instance.upgrade.approve", resourceType: "upgrade", resourceId: runId, metadata: { comment: opts.comment, approvals, required: run.instance.requiredApprovals, instanceId: run.instanceId } });
    if (approvals >= run.instance.requiredApprovals) {
      await notifyRun(tx, runId, "upgrade.approved", { comment: opts.comment, by: actor.type === "system" ? actor.label : actor.name });
      if (run.scheduledFor && run.scheduledFor.getTime() > Date.now()) {
        await applyTransition(tx, runId, "approve_for_later", { message: `Approved: starts at ${run.scheduledFor.toISOString()}` });
        return { status: "scheduled" as const, approvals };
      }
      await applyTransition(tx, runId, "approve", { extra: { startedAt: new Date() }, message: "Approved: starting" });
      await enqueueRun(runId, tx);
      return { status: "running" as const, approvals };
    }
    return { status: "pending_approval" as const, approvals };
  });
}

export async function rejectUpgrade(opts: { actor: Actor | null; runId: string; comment: string }) {
  requirePermission(opts.actor, "upgrade:approve");
  const { actor, runId } = opts;
  const userId = actorUserId(actor);
  if (!userId) throw new AppError("forbidden", "A rejection needs a person.");
  return getDb().$transaction(async (tx) => {
    const run = await lockRun(tx, runId);
    requireAllowed(run, "reject", { isRequester: run.requestedById === userId });
    await tx.approval.create({ data: { runId, approverId: userId, decision: "rejected", comment: opts.comment } });
    await applyTransition(tx, runId, "reject", { message: `Rejected: ${opts.comment}` });
    await notifyRun(tx, runId, "upgrade.rejected", { comment: opts.comment, by: actor.type === "system" ? actor.label : actor.name });
    if (run.planId) {
      const later = await tx.upgradeRun.findMany({ where: { planId: run.planId, status: "scheduled" }, select: { id: true } });
      for (const l of later) await applyTransition(tx, l.id, "cancel_later_hop", { message: "Cancelled: the plan was rejected" });
    }
    await recordAudit(tx, actor, { action: "instance.upgrade.reject", resourceType: "upgrade", resourceId: runId, metadata: { comment: opts.comment, instanceId: run.instanceId } });
    return { status: "rejected" as const };
  });
}
