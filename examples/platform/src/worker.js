// The platform's job runner: `node worker.js` with DATABASE_URL, CONFIG_FILE and INSTANCE_ID.
// Claims queued jobs (FOR UPDATE SKIP LOCKED) while it has a free slot and the queue is not
// paused (a flag the app sets in platform_settings); on SIGTERM, hands unfinished jobs back.
import { randomBytes } from "node:crypto";
import { loadConfigOrExit } from "./lib/config.js";
import { createPool, getSetting, requireDatabaseUrl } from "./lib/db.js";
import { PAUSE_KEY, jobs } from "./lib/jobs.js";
import { createLogger } from "./lib/log.js";

const log = createLogger("worker");
const config = loadConfigOrExit("worker");
const databaseUrl = requireDatabaseUrl("worker");

const concurrency = Math.min(16, Math.max(1, Number(config.values.WORKER_CONCURRENCY ?? 4) || 4));
const POLL_MS = 250;
// The worker's name is its connections' application_name, so a successor can tell which
// claimed jobs lost their worker (no session left) and requeue them.
const workerName = `webwaka-worker:${process.env.INSTANCE_ID ?? "local"}:${randomBytes(4).toString("hex")}`.slice(0, 63);
const db = createPool({ url: databaseUrl, max: Math.min(config.poolSize, concurrency + 1), applicationName: workerName });

let stopping = false;
const running = new Map(); // job id -> {cancel, done}
let wake = () => {};

/** Waits up to ms, or less when a slot frees up or the worker stops. */
function idle(ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => (clearTimeout(timer), resolve());
  });
}

/** Runs one job in the background: the demo's jobs take their durationMs; kind "fail" fails. */
function start(job) {
  let cancel;
  const outcome = new Promise((resolve) => {
    const timer = setTimeout(() => resolve(job.kind === "fail" ? "failed" : "done"), job.durationMs);
    cancel = () => (clearTimeout(timer), resolve("cancelled"));
  });
  log.info(`job ${job.id} (${job.kind}) started`);
  const done = outcome
    .then(async (result) => {
      if (result === "cancelled") await jobs.requeue(db, job);
      else await jobs.finish(db, job, result);
      log.info(result === "cancelled" ? `job ${job.id} returned to the queue` : `job ${job.id} ${result}`);
    })
    .catch((e) => log.error(`job ${job.id}: recording its outcome failed: ${e.message}`))
    .finally(() => {
      running.delete(job.id);
      wake();
    });
  running.set(job.id, { cancel, done });
}

async function loop() {
  while (!stopping) {
    try {
      if (running.size < concurrency && !(await getSetting(db, PAUSE_KEY, false))) {
        const job = await jobs.claim(db, workerName);
        if (job && stopping) await jobs.requeue(db, job);
        else if (job) {
          start(job);
          continue; // more may be waiting
        }
      }
    } catch (e) {
      if (stopping) break;
      log.error(`claiming jobs failed: ${e.message}`);
      await idle(1000);
    }
    await idle(POLL_MS);
  }
}

async function reap() {
  try {
    const n = await jobs.reapOrphans(db);
    if (n) log.warn(`requeued ${n} job(s) whose worker is gone`);
  } catch (e) {
    log.error(`reaping orphaned jobs failed: ${e.message}`);
  }
}

await reap();
const reaper = setInterval(reap, 30_000);
const main = loop();
log.info("worker started", { concurrency, name: workerName });

async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  log.info(`${signal}: stopping; ${running.size} running job(s) go back to the queue`);
  clearInterval(reaper);
  wake();
  for (const { cancel } of running.values()) cancel();
  const settled = Promise.all([main, ...[...running.values()].map((r) => r.done)]);
  await Promise.race([settled, new Promise((r) => setTimeout(r, 5000))]);
  await db.end().catch(() => {});
  log.info("stopped");
  process.exit(0);
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
