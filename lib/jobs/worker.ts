import "server-only";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { getDb } from "@/lib/db";
import { enqueueRun } from "@/lib/jobs/queue";
import { finishDueMonitoring } from "@/lib/upgrades/engine/execute-run";
import { applyTransition } from "@/lib/upgrades/engine/transitions";
import { logInfo } from "@/lib/log";
import { activeFreeze, formatLocal, nextWindowStart } from "@/lib/channels/windows";
import { emitRunEvent } from "@/lib/events/run-events";
import { recordAudit } from "@/lib/audit/record-audit";
import { sampleDueRuns } from "@/lib/monitoring/sample-due-runs";
import { evaluateFleetAlertsIfDue } from "@/lib/alerts/evaluate-fleet-alerts";
import { requeueStalledVerifications } from "@/lib/audit/run-full-verification";

export const WORKER_ID = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;

/**
 * Finds runs that should be executing but have no live runner (a worker died, or its job was
 * lost) and queues them again. The lease decides who resumes; a duplicate job is a no-op.
 */
export async function sweep(): Promise<void> {
  const db = getDb();
  const orphans = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM upgrade_runs
    WHERE status = 'running'
      AND ((lease_expires_at IS NOT NULL AND lease_expires_at < now())
        OR (lease_owner IS NULL AND updated_at < now() - interval '10 seconds'))`;
  for (const o of orphans) {
    logInfo("resuming a run without a live worker", { runId: o.id, worker: WORKER_ID });
    await enqueueRun(o.id);
  }
  await startDueScheduled();
  await finishDueMonitoring();
  await sampleDueRuns();
  await evaluateFleetAlertsIfDue();
  await requeueStalledVerifications();
}

/**
 * Scheduled runs whose time has come (a maintenance window opened, or the time asked for). A run
 * that falls inside a change freeze created after it was scheduled moves to the next window after
 * the freeze (or the freeze's end, for an instance without windows) instead of starting.
 */
export async function startDueScheduled(): Promise<void> {
  const db = getDb();
  const now = new Date();
  // Only the head of a plan holds the instance; later hops wait for it instead.
  const due = await db.upgradeRun.findMany({
    where: { status: "scheduled", scheduledFor: { lte: now }, activeInstanceId: { not: null } },
    select: { id: true, instanceId: true, instance: { select: { timezone: true, maintenanceWindows: true } } },
  });
  for (const d of due) {
    const freezes = await db.freezePeriod.findMany({ where: { OR: [{ instanceId: d.instanceId }, { instanceId: null }], endsAt: { gt: now } } });
    const freeze = activeFreeze(now, freezes);
    await db.$transaction(async (tx) => {
      if (!freeze) {
        if (await applyTransition(tx, d.id, "start_when_due", { extra: { startedAt: new Date() }, message: "Scheduled time reached: starting" })) await enqueueRun(d.id, tx);
        return;
      }
      const windows = d.instance.maintenanceWindows;
      const later = (windows.length ? nextWindowStart(freeze.endsAt, windows, d.instance.timezone, freezes) : null) ?? freeze.endsAt;
      const moved = await tx.upgradeRun.updateMany({ where: { id: d.id, status: "scheduled" }, data: { scheduledFor: later } });
      if (moved.count === 0) return;
      const why = `A change freeze is in force (${freeze.reason}); the run moves to ${formatLocal(later, d.instance.timezone)}.`;
      await emitRunEvent(tx, d.id, { type: "run_status", message: why, data: { status: "scheduled", scheduledFor: later.toISOString() } });
      await recordAudit(tx, { type: "system", label: "scheduler" }, { action: "instance.upgrade.reschedule", resourceType: "instance", resourceId: d.instanceId, metadata: { upgradeId: d.id, scheduledFor: later.toISOString(), reason: why } });
    });
  }
}
