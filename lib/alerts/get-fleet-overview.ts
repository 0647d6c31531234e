import "server-only";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { computeFleetStats, ENDED_COUNTS, ENDED_UPGRADE, type EndedCounts } from "@/lib/alerts/compute-fleet-stats";
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
  const days = opts.days ?? 14;
  const start = new Date(Math.floor(now.getTime() / DAY) * DAY - (days - 1) * DAY);
  // The two periods and the daily series are independent reads: side by side, not one after another.
  const [current, previous, rows] = await Promise.all([
    computeFleetStats(db, from, now),
    computeFleetStats(db, new Date(from.getTime() - span), from),
    db.$queryRaw<(EndedCounts & { day: string })[]>`
      SELECT to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, ${ENDED_COUNTS}
      FROM upgrade_runs r WHERE ${ENDED_UPGRADE} AND r.finished_at >= ${start}
      GROUP BY 1`,
  ]);
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const series: DayRates[] = Array.from({ length: days }, (_, i) => {
    const day = new Date(start.getTime() + i * DAY).toISOString().slice(0, 10);
    const r = byDay.get(day);
    const finished = Number(r?.finished ?? 0);
    return { day, finished, successRate: finished ? Number(r?.succeeded) / finished : null, rollbackRate: finished ? Number(r?.rolled_back) / finished : null };
  });
  return { periodHours, current, previous, days: series };
}
