import "server-only";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { computeFleetStats } from "@/lib/alerts/compute-fleet-stats";
import type { FleetStats } from "@/lib/alerts/fleet-rules";

export type DayRates = { day: string; finished: number; successRate: number | null; rollbackRate: number | null };

export type FleetOverview = { periodHours: number; current: FleetStats; previous: FleetStats; days: DayRates[] };

const DAY = 86_400_000;

/** The dashboard's rates: this period, the one before it (the trend), and one point per day. */
export async function getFleetOverview(opts: { actor: Actor | null; days?: number; now?: Date }): Promise<FleetOverview> {
  requirePermission(opts.actor, "upgrade:read");
  const db = getDb();
  const periodHours = getEnv().ALERT_PERIOD_HOURS;
  const now = opts.now ?? new Date();
  const span = periodHours * 3_600_000;
  const from = new Date(now.getTime() - span);
  const [current, previous] = await Promise.all([computeFleetStats(db, from, now), computeFleetStats(db, new Date(from.getTime() - span), from)]);
  const days = opts.days ?? 14;
  const start = new Date(Math.floor(now.getTime() / DAY) * DAY - (days - 1) * DAY);
  const rows = await db.$queryRaw<{ day: string; finished: bigint; succeeded: bigint; rolled_back: bigint }[]>`
    SELECT to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
           count(*) AS finished,
           count(*) FILTER (WHERE r.status = 'succeeded') AS succeeded,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM upgrade_runs c WHERE c.parent_run_id = r.id AND c.kind IN ('rollback', 'emergency_rollback'))) AS rolled_back
    FROM upgrade_runs r
    WHERE r.kind = 'upgrade' AND r.status IN ('succeeded', 'failed', 'rolled_back') AND r.finished_at >= ${start}
    GROUP BY 1`;
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const series: DayRates[] = Array.from({ length: days }, (_, i) => {
    const day = new Date(start.getTime() + i * DAY).toISOString().slice(0, 10);
    const r = byDay.get(day);
    const finished = Number(r?.finished ?? 0);
    return { day, finished, successRate: finished ? Number(r?.succeeded) / finished : null, rollbackRate: finished ? Number(r?.rolled_back) / finished : null };
  });
  return { periodHours, current, previous, days: series };
}
