// The runbook's fleet alerts ("Monitoring & Alerts") as data, and the pure rule that turns the
// period's numbers into alerts. Evaluated by evaluate-fleet-alerts.ts.
import type { AlertKind } from "@/generated/prisma/enums";

export const FLEET_LIMITS = {
  /** An upgrade (or rollback) running longer than this, in minutes. */
  upgradeDurationMinutes: 30,
  /** Success rate of the upgrades finished in the period: alert below. */
  successRateMin: 0.95,
  /** Mean error rate of the post-upgrade monitoring samples taken in the period: alert above. */
  errorRateMax: 0.01,
  /** Share of the upgrades finished in the period that were rolled back: alert above. */
  rollbackRateMax: 0.05,
  /** Monitoring samples the error rate needs before it can fire (about 10 minutes of one run). */
  minSamples: 10,
} as const;

export type FleetStats = {
  from: Date;
  to: Date;
  /** Upgrades that ended in the period: succeeded, failed or rolled back. */
  finished: number;
  succeeded: number;
  rolledBack: number;
  successRate: number | null;
  rollbackRate: number | null;
  samples: number;
  errorRate: number | null;
};

export type RateVerdict = { kind: Extract<AlertKind, "success_rate" | "post_upgrade_error_rate" | "rollback_rate">; firing: boolean; value: number | null; threshold: number; message: string; why: string };

const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;

/**
 * Rates need enough runs to mean something: with fewer than `minRuns` finished upgrades (or
 * `minSamples` samples) a rule does not fire, and an alert it opened earlier is resolved.
 */
export function judgeFleetRates(stats: FleetStats, minRuns: number, periodHours: number): RateVerdict[] {
  const enoughRuns = stats.finished >= minRuns;
  const enoughSamples = stats.samples >= FLEET_LIMITS.minSamples;
  const period = `the last ${periodHours} h`;
  const tooFew = `fewer than ${minRuns} finished upgrades in ${period} (${stats.finished})`;
  return [
    {
      kind: "success_rate",
      firing: enoughRuns && stats.successRate !== null && stats.successRate < FLEET_LIMITS.successRateMin,
      value: stats.successRate,
      threshold: FLEET_LIMITS.successRateMin,
      message: `Upgrade success rate ${pct(stats.successRate ?? 0)} over ${period} (${stats.succeeded} of ${stats.finished}) is under ${pct(FLEET_LIMITS.successRateMin)}`,
      why: enoughRuns ? `success rate ${pct(stats.successRate ?? 0)}` : tooFew,
    },
    {
      kind: "rollback_rate",
      firing: enoughRuns && stats.rollbackRate !== null && stats.rollbackRate > FLEET_LIMITS.rollbackRateMax,
      value: stats.rollbackRate,
      threshold: FLEET_LIMITS.rollbackRateMax,
      message: `Rollback rate ${pct(stats.rollbackRate ?? 0)} over ${period} (${stats.rolledBack} of ${stats.finished}) is over ${pct(FLEET_LIMITS.rollbackRateMax)}`,
      why: enoughRuns ? `rollback rate ${pct(stats.rollbackRate ?? 0)}` : tooFew,
    },
    {
      kind: "post_upgrade_error_rate",
      firing: enoughSamples && stats.errorRate !== null && stats.errorRate > FLEET_LIMITS.errorRateMax,
      value: stats.errorRate,
      threshold: FLEET_LIMITS.errorRateMax,
      message: `Post-upgrade error rate ${pct(stats.errorRate ?? 0)} over ${period} (${stats.samples} monitoring samples) is over ${pct(FLEET_LIMITS.errorRateMax)}`,
      why: enoughSamples ? `error rate ${pct(stats.errorRate ?? 0)}` : `fewer than ${FLEET_LIMITS.minSamples} monitoring samples in ${period} (${stats.samples})`,
    },
  ];
}
