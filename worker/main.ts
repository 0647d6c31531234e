// The worker process: runs upgrade runs, backups, emergency rollbacks and the sweeper that resumes
// runs whose worker died. Any number of workers can share one database.
import { startWorker } from "@/worker/start-worker";
import { logError } from "@/lib/log";

// A lost database connection surfaces in libraries' own promises (pg-boss fails a job without
// awaiting it). Such a rejection is logged, not fatal: the worker rides out the outage, its loops
// retry, and runs resume from their rows once the database is back.
process.on("unhandledRejection", (e: unknown) => logError("unhandled rejection in the worker (carrying on)", e));

const stop = await startWorker();
let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    stop()
      .catch((e: unknown) => console.error(e))
      .finally(() => process.exit(0));
  });
}
