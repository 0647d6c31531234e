import "server-only";
import type { Tx } from "@/lib/db";
import type { UpgradeStatus } from "@/generated/prisma/enums";
import { enqueueNotification, enqueueNotifications, type EnqueueInput, type EnqueueResult } from "@/lib/notifications/enqueue-notification";
import type { NotificationEvent } from "@/lib/notifications/events";

type RunEvent = Extract<NotificationEvent, `upgrade.${string}`>;

const VERB: Record<RunEvent, string> = {
  "upgrade.requested": "is waiting for approval",
  "upgrade.approved": "was approved",
  "upgrade.rejected": "was rejected",
  "upgrade.started": "has started",
  "upgrade.succeeded": "succeeded",
  "upgrade.failed": "failed",
  "upgrade.rolled_back": "was rolled back",
  "upgrade.emergency_rollback": "started: on-call is paged",
};

const RUN_SELECT = { id: true, instanceId: true, kind: true, fromVersion: true, toVersion: true, status: true, error: true, policyReason: true, instance: { select: { name: true } } };
type RunSummary = { id: string; instanceId: string; kind: string; fromVersion: string; toVersion: string; status: string; error: string | null; policyReason: string | null; instance: { name: string } };
type Extra = { reason?: string | null; comment?: string | null; by?: string | null };

/** The notification of a run event: a plain summary of the run and a link to its page. */
function runNotification(run: RunSummary, event: RunEvent, extra: Extra): EnqueueInput {
  const what = run.kind === "upgrade" ? `upgrade ${run.fromVersion} → ${run.toVersion}` : `${run.kind.replace("_", " ")} ${run.fromVersion} → ${run.toVersion}`;
  const title = `${run.instance.name}: ${what} ${VERB[event]}`;
  const reason = extra.reason ?? (event === "upgrade.failed" ? run.error?.split("\n")[0] : null) ?? (event === "upgrade.emergency_rollback" || event === "upgrade.rolled_back" ? run.policyReason : null);
  const lines = [
    `Instance: ${run.instance.name}`,
    `Versions: ${run.fromVersion} → ${run.toVersion}`,
    `Status: ${run.status.replace("_", " ")}`,
    ...(extra.by ? [`By: ${extra.by}`] : []),
    ...(extra.comment ? [`Comment: ${extra.comment}`] : []),
    ...(reason ? [`Reason: ${reason}`] : []),
  ];
  return {
    event,
    instanceId: run.instanceId,
    runId: run.id,
    payload: { title, message: lines.join("\n"), reason: reason ?? null, comment: extra.comment ?? null, by: extra.by ?? null },
  };
}

/**
 * Queues the notification of a run event, with a plain summary of the run (instance, versions,
 * status, reason) and a link to its page. Inside the caller's transaction.
 */
export async function notifyRun(tx: Tx, runId: string, event: RunEvent, extra: Extra = {}): Promise<EnqueueResult | null> {
  const run = await tx.upgradeRun.findUnique({ where: { id: runId }, select: RUN_SELECT });
  if (!run) return null;
  return enqueueNotification(tx, runNotification(run, event, extra));
}

/** `notifyRun` for many runs at once (a batch of automatic requests), in a few statements. */
export async function notifyRuns(tx: Tx, items: { runId: string; event: RunEvent; extra?: Extra }[]): Promise<void> {
  if (items.length === 0) return;
  const runs = new Map((await tx.upgradeRun.findMany({ where: { id: { in: items.map((i) => i.runId) } }, select: RUN_SELECT })).map((r) => [r.id, r]));
  const inputs = items.flatMap((i) => {
    const run = runs.get(i.runId);
    return run ? [runNotification(run, i.event, i.extra ?? {})] : [];
  });
  await enqueueNotifications(tx, inputs);
}

/**
 * The notification a status change stands for, if any. `from` is the set of statuses the change
 * allowed: leaving `awaiting_checklist` for `running` is a continuation, not a start.
 */
export function eventForTransition(kind: string, from: readonly UpgradeStatus[], to: UpgradeStatus): RunEvent | null {
  switch (to) {
    case "running":
      return kind === "upgrade" && from.every((s) => s === "pending_approval" || s === "approved" || s === "scheduled") ? "upgrade.started" : null;
    case "succeeded":
      return kind === "upgrade" ? "upgrade.succeeded" : null;
    case "failed":
      return "upgrade.failed";
    case "rolled_back":
      return kind === "upgrade" ? "upgrade.rolled_back" : null;
    default:
      return null;
  }
}

/** Called by `applyTransition` after a status change, in its transaction. */
export async function notifyRunTransition(tx: Tx, runId: string, from: readonly UpgradeStatus[], to: UpgradeStatus): Promise<void> {
  const run = await tx.upgradeRun.findUnique({ where: { id: runId }, select: { kind: true } });
  const event = run ? eventForTransition(run.kind, from, to) : null;
  if (event) await notifyRun(tx, runId, event);
}
