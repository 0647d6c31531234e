import "server-only";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { serializeAlert, type AlertDto } from "@/lib/alerts/list-alerts";
import { METRICS, THRESHOLDS, type MetricKey } from "@/lib/monitoring/thresholds";

export type RunMetrics = {
  runId: string;
  status: string;
  monitoringUntil: string | null;
  sampleSeconds: number;
  breachSamples: number;
  thresholds: { metric: MetricKey; label: string; limit: number; unit: string }[];
  samples: ({ at: string } & Record<MetricKey, number>)[];
  alerts: AlertDto[];
};

/** The run's monitoring samples (oldest first, the last `limit`), thresholds and breach alerts. */
export async function getRunMetrics(opts: { actor: Actor | null; runId: string; limit?: number }): Promise<RunMetrics> {
  requirePermission(opts.actor, "upgrade:read");
  const db = getDb();
  const run = await db.upgradeRun.findUnique({ where: { id: opts.runId }, select: { id: true, status: true, monitoringUntil: true } });
  if (!run) throw new AppError("not_found", `No upgrade with id ${opts.runId}.`);
  const [rows, alerts] = await Promise.all([
    db.metricSample.findMany({ where: { runId: run.id }, orderBy: { sampledAt: "desc" }, take: opts.limit ?? 500 }),
    db.alert.findMany({ where: { runId: run.id }, orderBy: { openedAt: "desc" }, include: { instance: { select: { name: true } } } }),
  ]);
  const env = getEnv();
  return {
    runId: run.id,
    status: run.status,
    monitoringUntil: run.monitoringUntil?.toISOString() ?? null,
    sampleSeconds: env.MONITOR_SAMPLE_SECONDS,
    breachSamples: env.MONITOR_BREACH_SAMPLES,
    thresholds: METRICS.map((m) => ({ metric: m, label: THRESHOLDS[m].label, limit: THRESHOLDS[m].limit, unit: THRESHOLDS[m].unit })),
    samples: rows.reverse().map((s) => ({ at: s.sampledAt.toISOString(), errorRate: s.errorRate, p95Ms: s.p95Ms, cpuPercent: s.cpuPercent, memoryPercent: s.memoryPercent, queueDepth: s.queueDepth })),
    alerts: alerts.map(serializeAlert),
  };
}
