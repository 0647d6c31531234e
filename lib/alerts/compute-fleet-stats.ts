import "server-only";
import type { Db, Tx } from "@/lib/db";
import type { FleetStats } from "@/lib/alerts/fleet-rules";

const ENDED = ["succeeded", "failed", "rolled_back"] as const;

/** The fleet's numbers for upgrades that ended in [from, to), and monitoring samples taken then. */
export async function computeFleetStats(db: Db | Tx, from: Date, to: Date): Promise<FleetStats> {
  const ended = { kind: "upgrade" as const, status: { in: [...ENDED] }, finishedAt: { gte: from, lt: to } };
  const [finished, succeeded, rolledBack, samples] = await Promise.all([
    db.upgradeRun.count({ where: ended }),
    db.upgradeRun.count({ where: { ...ended, status: "succeeded" } }),
    // Rolled back = a rollback run was started for it, whether or not that rollback succeeded.
    db.upgradeRun.count({ where: { ...ended, childRuns: { some: { kind: { in: ["rollback", "emergency_rollback"] } } } } }),
    db.metricSample.aggregate({ where: { runId: { not: null }, sampledAt: { gte: from, lt: to } }, _avg: { errorRate: true }, _count: { _all: true } }),
  ]);
  return {
    from,
    to,
    finished,
    succeeded,
    rolledBack,
    successRate: finished > 0 ? succeeded / finished : null,
    rollbackRate: finished > 0 ? rolledBack / finished : null,
    samples: samples._count._all,
    errorRate: samples._count._all > 0 ? (samples._avg.errorRate ?? 0) : null,
  };
}
