import "server-only";
import type { Db, Tx } from "@/lib/db";
import type { FleetStats } from "@/lib/alerts/fleet-rules";
import { Prisma } from "@/generated/prisma/client";

export type EndedCounts = { finished: bigint; succeeded: bigint; rolled_back: bigint };

/** Upgrade runs `r` that ended: succeeded, failed or rolled back. */
export const ENDED_UPGRADE = Prisma.sql`r.kind = 'upgrade' AND r.status IN ('succeeded', 'failed', 'rolled_back')`;

/**
 * The counts of `EndedCounts` over runs `r`. Rolled back = a rollback run was started for it,
 * whether or not that rollback succeeded.
 */
export const ENDED_COUNTS = Prisma.sql`count(*) AS finished,
  count(*) FILTER (WHERE r.status = 'succeeded') AS succeeded,
  count(*) FILTER (WHERE EXISTS (SELECT 1 FROM upgrade_runs c WHERE c.parent_run_id = r.id AND c.kind IN ('rollback', 'emergency_rollback'))) AS rolled_back`;

/** The fleet's numbers for upgrades that ended in [from, to), and monitoring samples taken then. */
export async function computeFleetStats(db: Db | Tx, from: Date, to: Date): Promise<FleetStats> {
  // The three counts over the same rows in one statement (they were three), beside the samples'.
  const [[counts], samples] = await Promise.all([
    db.$queryRaw<EndedCounts[]>`SELECT ${ENDED_COUNTS} FROM upgrade_runs r WHERE ${ENDED_UPGRADE} AND r.finished_at >= ${from} AND r.finished_at < ${to}`,
    db.metricSample.aggregate({ where: { runId: { not: null }, sampledAt: { gte: from, lt: to } }, _avg: { errorRate: true }, _count: { _all: true } }),
  ]);
  const finished = Number(counts?.finished ?? 0);
  const succeeded = Number(counts?.succeeded ?? 0);
  const rolledBack = Number(counts?.rolled_back ?? 0);
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
