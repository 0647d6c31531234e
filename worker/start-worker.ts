import "server-only";
import type PgBoss from "pg-boss";
import type { z } from "zod";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { getBoss, JOB_PAYLOADS, QUEUES } from "@/lib/jobs/queue";
import { listenForJobs } from "@/lib/jobs/job-wakeup";
import { sweep, WORKER_ID } from "@/lib/jobs/worker";
import { sweepLeftovers } from "@/lib/jobs/sweep-leftovers";
import { executeRun } from "@/lib/upgrades/engine/execute-run";
import { runQueuedBackup } from "@/lib/backups/request-backup";
import { runFullVerification } from "@/lib/audit/run-full-verification";
import { autoUpdateSchedule } from "@/lib/auto-update/run-auto-update";
import { deliverDueNotifications } from "@/lib/notifications/deliver-due-notifications";
import { logError, logInfo } from "@/lib/log";
import { every } from "@/worker/every";

// How often the worker clears what killed attempts left behind (stale jobs, stuck backups, files).
const LEFTOVERS_EVERY_MS = 10 * 60_000;
const SWEEP_EVERY_MS = 5_000;

type Queue = keyof typeof JOB_PAYLOADS;
type Payload<Q extends Queue> = z.infer<(typeof JOB_PAYLOADS)[Q]>;
type Handler<Q extends Queue> = (payload: Payload<Q>) => Promise<unknown>;

/**
 * One job attempt: its payload parsed (a malformed one is logged and dropped: retrying cannot fix
 * it), the handler run, and one log line with the queue, the job, the outcome and the time. A run's
 * or a verification's failure is not thrown back to pg-boss: its state is in its rows, and the
 * sweeps resume whatever ended early (for example while the database was away). A backup's is
 * (`retry`): pg-boss tries the job again, as its queue says.
 */
export async function attempt<Q extends Queue>(queue: Q, job: PgBoss.Job<unknown>, handle: Handler<Q>, retry: boolean): Promise<void> {
  const started = performance.now();
  const parsed = JOB_PAYLOADS[queue].safeParse(job.data);
  if (!parsed.success) {
    logError("job dropped: its payload is not what the queue carries", parsed.error, { queue, jobId: job.id });
    return;
  }
  let failure: unknown = null;
  try {
    await handle(parsed.data as Payload<Q>);
  } catch (e) {
    failure = e ?? new Error("failed");
    logError(`${queue} job ended with an error; ${retry ? "pg-boss retries it" : "the sweep resumes it"}`, e, { jobId: job.id, ...parsed.data });
  }
  logInfo("job attempt", { queue, jobId: job.id, ...parsed.data, outcome: failure === null ? "done" : "failed", ms: Math.round(performance.now() - started), worker: WORKER_ID });
  if (failure !== null && retry) throw failure;
}

/** Starts this process's job workers and loops; returns the function that stops them all. */
export async function startWorker(): Promise<() => Promise<void>> {
  const boss = await getBoss();
  const { WORKER_CONCURRENCY: concurrency, JOB_POLL_SECONDS: poll, NOTIFY_POLL_SECONDS } = getEnv();
  const workers: { queue: string; id: string }[] = [];
  const work = async <Q extends Queue>(queue: Q, pollSeconds: number, handle: Handler<Q>, retry = false) => {
    const id = await boss.work(queue, { batchSize: 1, pollingIntervalSeconds: poll ?? pollSeconds }, async ([job]) => {
      if (job) await attempt(queue, job, handle, retry);
    });
    workers.push({ queue, id });
  };
  for (let i = 0; i < concurrency; i++) await work(QUEUES.run, 0.5, (j) => executeRun(j.runId, WORKER_ID));
  await work(QUEUES.backup, 1, (j) => runQueuedBackup(j.backupId), true);
  await work(QUEUES.auditVerify, 1, (j) => runFullVerification(j.verificationId, WORKER_ID));
  // A job announced for a queue wakes this process's idle workers of it at once (the busy ones
  // fetch again as soon as they finish); without announcements they still poll.
  const stopListening = listenForJobs((queue) => {
    for (const w of workers) if (queue === null || w.queue === queue) boss.notifyWorker(w.id);
  });
  const loops = [
    every("sweep", SWEEP_EVERY_MS, sweep),
    every("the leftovers sweep", LEFTOVERS_EVERY_MS, async () => {
      const r = await sweepLeftovers();
      if (r.runJobs + r.backupJobs + r.stuckBackups + r.files > 0) logInfo("cleared what killed attempts left behind", r);
    }, { now: true }),
    every("notification delivery", NOTIFY_POLL_SECONDS * 1000, deliverDueNotifications, { drain: true }),
  ];
  const autoUpdate = autoUpdateSchedule();
  if (autoUpdate) loops.push(every("auto-update scan", autoUpdate.everyMs, autoUpdate.round, { now: true }));
  logInfo("worker started", { worker: WORKER_ID, concurrency });
  return async () => {
    await stopListening();
    await Promise.all(loops.map((stop) => stop()));
    await boss.stop({ graceful: true, wait: true, timeout: 15_000 });
    await getDb().$disconnect();
  };
}
