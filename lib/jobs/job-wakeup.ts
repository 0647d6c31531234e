import "server-only";
import pg from "pg";
import { getDb, type Tx } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { logError } from "@/lib/log";

// pg-boss 10 only polls: it has no notification between processes (its `notifyWorker` wakes a
// worker of the same process). A job the web process sends would wait for the next poll. So every
// send also says `pg_notify(JOBS_CHANNEL, queue)`, in the sender's transaction when there is one
// (delivered at commit, once the job is visible), and each worker process LISTENs and wakes its
// pg-boss workers of that queue. Polling stays the fallback: a notification lost while the
// listening connection is down only delays a job to the next poll, and every worker is woken once
// the connection is back.
export const JOBS_CHANNEL = "pgboss_job_sent";

/** Tells listening workers that `queue` has a new job (at `tx`'s commit, if given). */
export async function announceJob(queue: string, tx?: Tx): Promise<void> {
  await (tx ?? getDb()).$executeRaw`SELECT pg_notify(${JOBS_CHANNEL}, ${queue})`;
}

/** What a listener's connection is called in pg_stat_activity (one per worker process). */
export const listenerName = () => `webwaka-jobs:${process.pid}`;

/**
 * Calls `wake(queue)` when a job is announced for `queue`, and `wake(null)` (every queue) each
 * time the listening connection is (re)established. Reconnects by itself, backing off to 10 s.
 * Returns the function that stops listening.
 */
export function listenForJobs(wake: (queue: string | null) => void): () => Promise<void> {
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  const schedule = (delayMs: number) => {
    if (stopped) return;
    retry = setTimeout(() => void connect(Math.min(delayMs * 2, 10_000)), delayMs);
    retry.unref();
  };

  const connect = async (nextDelayMs: number) => {
    const c = new pg.Client({ connectionString: getEnv().DATABASE_URL, application_name: listenerName() });
    let lost = false;
    const onLost = (e?: unknown) => {
      if (lost) return;
      lost = true;
      if (client === c) client = null;
      c.end().catch(() => undefined);
      if (stopped) return;
      logError("the job listener lost its connection; polling until it is back", e ?? new Error("connection ended"));
      schedule(1000);
    };
    let connected = false;
    c.on("notification", (m) => {
      if (m.channel === JOBS_CHANNEL && m.payload) wake(m.payload);
    });
    // Registered before connecting: an 'error' event with no listener would end the process.
    c.on("error", (e) => connected && onLost(e));
    c.on("end", () => connected && onLost());
    try {
      await c.connect();
      await c.query(`LISTEN ${JOBS_CHANNEL}`);
    } catch {
      c.end().catch(() => undefined);
      schedule(nextDelayMs);
      return;
    }
    connected = true;
    if (stopped) {
      lost = true;
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    // Jobs announced while nobody listened: look for them now instead of at the next poll.
    wake(null);
  };

  void connect(1000);
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}
