import "server-only";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { getBoss, enqueueRun, QUEUES, type AuditVerifyJob, type BackupJob, type RunJob } from "@/lib/jobs/queue";
import { executeRun, finishDueMonitoring } from "@/lib/upgrades/engine/execute-run";
import { applyTransition } from "@/lib/upgrades/engine/transitions";
import { runQueuedBackup } from "@/lib/backups/request-backup";
import { logError, logInfo } from "@/lib/log";
import { activeFreeze, formatLocal, nextWindowStart } from "@/lib/channels/windows";
import { emitRunEvent } from "@/lib/events/run-events";
import { recordAudit } from "@/lib/audit/record-audit";
import { startAutoUpdate } from "@/lib/auto-update/run-auto-update";
import { startNotificationDelivery } from "@/lib/notifications/deliver-due-notifications";
import { sampleDueRuns } from "@/lib/monitoring/sample-due-runs";
import { evaluateFleetAlertsIfDue } from "@/lib/alerts/evaluate-fleet-alerts";
import { sweepLeftovers } from "@/lib/jobs/sweep-leftovers";
import { listenForJobs } from "@/lib/jobs/job-wakeup";
import { requeueStalledVerifications, runFullVerification } from "@/lib/audit/run-full-verification";

// How often the worker clears what killed attempts left behind (stale jobs, stuck backups, files).
const LEFTOVERS_EVERY_MS = 10 * 60_000;

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

export async function startWorker(): Promise<() => Promise<void>> {
  const boss = await getBoss();
  const { WORKER_CONCURRENCY: concurrency, JOB_POLL_SECONDS: poll } = getEnv();
  const workers: { queue: string; id: string }[] = [];
  for (let i = 0; i < concurrency; i++) {
    const id = await boss.work<RunJob>(QUEUES.run, { batchSize: 1, pollingIntervalSeconds: poll ?? 0.5 }, async ([job]) => {
      // Never thrown back to pg-boss: a run's state is in its rows, and the sweep re-queues a run
      // whose execution ended early (for example while the database was away).
      if (job) await executeRun(job.data.runId, WORKER_ID).catch((e: unknown) => logError("run execution ended with an error; the sweep resumes it", e, { runId: job.data.runId }));
    });
    workers.push({ queue: QUEUES.run, id });
  }
  const backupWorker = await boss.work<BackupJob>(QUEUES.backup, { batchSize: 1, pollingIntervalSeconds: poll ?? 1 }, async ([job]) => {
    if (job) await runQueuedBackup(job.data.backupId);
  });
  workers.push({ queue: QUEUES.backup, id: backupWorker });
  const verifyWorker = await boss.work<AuditVerifyJob>(QUEUES.auditVerify, { batchSize: 1, pollingIntervalSeconds: poll ?? 1 }, async ([job]) => {
    // As for runs: the verification's row holds its state, and the sweep re-queues a stalled one.
    if (job) await runFullVerification(job.data.verificationId, WORKER_ID).catch((e: unknown) => logError("audit verification ended with an error; the sweep resumes it", e, { verificationId: job.data.verificationId }));
  });
  workers.push({ queue: QUEUES.auditVerify, id: verifyWorker });
  // A job announced for a queue wakes this process's idle workers of it at once (the busy ones
  // fetch again as soon as they finish); without announcements they still poll.
  const stopListening = listenForJobs((queue) => {
    for (const w of workers) if (queue === null || w.queue === queue) boss.notifyWorker(w.id);
  });
  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    sweep()
      .catch((e: unknown) => logError("sweep failed", e))
      .finally(() => {
        sweeping = false;
      });
  }, 5_000);
  const leftovers = () =>
    sweepLeftovers()
      .then((r) => {
        if (r.runJobs + r.backupJobs + r.stuckBackups + r.files > 0) logInfo("cleared what killed attempts left behind", r);
      })
      .catch((e: unknown) => logError("the leftovers sweep failed", e));
  void leftovers();
  const leftoversTimer = setInterval(() => void leftovers(), LEFTOVERS_EVERY_MS);
  const stopAutoUpdate = startAutoUpdate();
  const stopNotifications = startNotificationDelivery();
  logInfo("worker started", { worker: WORKER_ID, concurrency });
  return async () => {
    clearInterval(timer);
    clearInterval(leftoversTimer);
    await stopListening();
    stopAutoUpdate();
    await stopNotifications();
    await boss.stop({ graceful: true, wait: true, timeout: 15_000 });
    await getDb().$disconnect();
  };
}
