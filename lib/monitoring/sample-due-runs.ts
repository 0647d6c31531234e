import "server-only";
import { getDb } from "@/lib/db";
import { logError } from "@/lib/log";
import { sampleRun } from "@/lib/monitoring/sample-run";

/**
 * Called from the worker's sweep: samples every run in its monitoring window that is due. Runs
 * are sampled side by side, so one slow instance does not delay the others.
 */
export async function sampleDueRuns(): Promise<void> {
  const runs = await getDb().upgradeRun.findMany({ where: { status: "monitoring", monitoringUntil: { gt: new Date() } }, select: { id: true } });
  await Promise.all(runs.map((r) => sampleRun(r.id).catch((e: unknown) => logError(`monitoring: sampling run ${r.id} failed`, e))));
}
