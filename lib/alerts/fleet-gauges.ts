import "server-only";
import { Gauge, type Registry } from "prom-client";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { computeFleetStats } from "@/lib/alerts/compute-fleet-stats";
import type { FleetStats } from "@/lib/alerts/fleet-rules";

const ACTIVE = ["approved", "scheduled", "running", "awaiting_checklist", "monitoring", "rolling_back"] as const;

// Several gauges read the same numbers in one scrape: compute them once per scrape.
let cached: { at: number; stats: Promise<FleetStats> } | undefined;
function statsForScrape(): Promise<FleetStats> {
  if (!cached || Date.now() - cached.at > 1_000) {
    const now = new Date();
    cached = { at: Date.now(), stats: computeFleetStats(getDb(), new Date(now.getTime() - getEnv().ALERT_PERIOD_HOURS * 3_600_000), now) };
  }
  return cached.stats;
}

/** The fleet-alert numbers on the console's /metrics, read from the database at scrape time. */
export function registerFleetGauges(registry: Registry): void {
  const rate = (name: string, help: string, pick: (s: FleetStats) => number | null) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        // NaN when the period has no finished upgrades: "unknown", not 0% or 100%.
        this.set(pick(await statsForScrape()) ?? Number.NaN);
      },
    });
  rate("webwaka_console_upgrade_success_ratio", "Share of the upgrades ended in the alert period (ALERT_PERIOD_HOURS) that succeeded.", (s) => s.successRate);
  rate("webwaka_console_upgrade_rollback_ratio", "Share of the upgrades ended in the alert period that were rolled back.", (s) => s.rollbackRate);
  rate("webwaka_console_post_upgrade_error_ratio", "Mean error rate of the post-upgrade monitoring samples in the alert period.", (s) => s.errorRate);
  new Gauge({
    name: "webwaka_console_active_runs",
    help: "Upgrade and rollback runs that are active (approved, scheduled, running, awaiting the checklist, monitoring or rolling back).",
    registers: [registry],
    async collect() {
      this.set(await getDb().upgradeRun.count({ where: { status: { in: [...ACTIVE] } } }));
    },
  });
  new Gauge({
    name: "webwaka_console_instance_versions",
    help: "Instances by the platform version they run.",
    labelNames: ["version"],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await getDb().instance.groupBy({ by: ["version"], _count: { _all: true } });
      for (const r of rows) this.set({ version: r.version }, r._count._all);
    },
  });
}
