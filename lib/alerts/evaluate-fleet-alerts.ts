import "server-only";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { openAlert } from "@/lib/alerts/open-alert";
import { closeAlert } from "@/lib/alerts/close-alert";
import { computeFleetStats } from "@/lib/alerts/compute-fleet-stats";
import { FLEET_LIMITS, judgeFleetRates } from "@/lib/alerts/fleet-rules";

export type FleetEvaluation = { opened: string[]; resolved: string[] };

/**
 * The runbook's fleet alerts, opened and resolved idempotently: safe from any number of workers.
 * `now`, `periodHours` and `minRuns` default to the clock and the env; tests pass their own.
 */
export async function evaluateFleetAlerts(opts: { now?: Date; periodHours?: number; minRuns?: number } = {}): Promise<FleetEvaluation> {
  const env = getEnv();
  const now = opts.now ?? new Date();
  const periodHours = opts.periodHours ?? env.ALERT_PERIOD_HOURS;
  const minRuns = opts.minRuns ?? env.ALERT_MIN_RUNS;
  const db = getDb();
  const out: FleetEvaluation = { opened: [], resolved: [] };

  // Long runs: one alert per run, resolved once the run is no longer running.
  const cutoff = new Date(now.getTime() - FLEET_LIMITS.upgradeDurationMinutes * 60_000);
  const long = await db.upgradeRun.findMany({ where: { status: "running", startedAt: { lt: cutoff } }, orderBy: { id: "asc" }, select: { id: true, kind: true, instanceId: true, toVersion: true, startedAt: true, instance: { select: { name: true } } } });
  const openDuration = await db.alert.findMany({ where: { kind: "upgrade_duration", status: "open" }, select: { dedupKey: true } });
  const longKeys = new Set(long.map((r) => `upgrade_duration:${r.id}`));

  const stats = await computeFleetStats(db, new Date(now.getTime() - periodHours * 3_600_000), now);
  const verdicts = judgeFleetRates(stats, minRuns, periodHours);

  await db.$transaction(
    async (tx) => {
      // One evaluation at a time across workers: they would lock the same alert keys in
      // different orders otherwise.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('fleet-alerts'))`;
      for (const r of long) {
        const minutes = Math.floor((now.getTime() - (r.startedAt ?? now).getTime()) / 60_000);
        const { alert, opened } = await openAlert(tx, {
          kind: "upgrade_duration",
          key: `upgrade_duration:${r.id}`,
          message: `${r.kind.replace("_", " ")} of ${r.instance.name} to ${r.toVersion} has been running for ${minutes} min (limit ${FLEET_LIMITS.upgradeDurationMinutes} min)`,
          instanceId: r.instanceId,
          runId: r.id,
          value: minutes,
          threshold: FLEET_LIMITS.upgradeDurationMinutes,
        });
        if (opened) out.opened.push(alert.id);
      }
      for (const a of openDuration) {
        if (a.dedupKey && !longKeys.has(a.dedupKey) && (await closeAlert(tx, a.dedupKey, "the run is no longer running"))) out.resolved.push(a.dedupKey);
      }
      for (const v of verdicts) {
        if (v.firing) {
          const { alert, opened } = await openAlert(tx, { kind: v.kind, key: v.kind, message: v.message, value: v.value, threshold: v.threshold });
          if (opened) out.opened.push(alert.id);
        } else if (await closeAlert(tx, v.kind, v.why)) out.resolved.push(v.kind);
      }
    },
    { maxWait: 10_000, timeout: 30_000 },
  );
  return out;
}

let lastEvaluation = 0;

/** The worker's sweep calls this every few seconds; it evaluates at most every ALERT_EVALUATE_SECONDS. */
export async function evaluateFleetAlertsIfDue(): Promise<void> {
  if (Date.now() - lastEvaluation < getEnv().ALERT_EVALUATE_SECONDS * 1000) return;
  lastEvaluation = Date.now();
  await evaluateFleetAlerts();
}
