// The worker process: runs upgrade runs, backups, emergency rollbacks and the sweeper that resumes
// runs whose worker died. Any number of workers can share one database.
import { startWorker } from "../lib/jobs/worker";

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
