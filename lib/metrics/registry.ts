import "server-only";
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import { getDb } from "@/lib/db";
import { APP_VERSION } from "@/lib/env";
import { registerFleetGauges } from "@/lib/alerts/fleet-gauges";
import { readChainHeads } from "@/lib/audit/chain-head";
import { AlertKind } from "@/generated/prisma/enums";
import { streamCounters } from "@/lib/metrics/stream-counters";

// One registry per process; gauges read the database when scraped, so every replica reports
// the same fleet numbers and nothing needs keeping in sync.
function build(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "webwaka_console_" });
  new Gauge({ name: "webwaka_console_info", help: "Console build information.", labelNames: ["version"], registers: [registry] }).set({ version: APP_VERSION }, 1);
  new Gauge({
    name: "webwaka_console_instances",
    help: "Instances by status.",
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await getDb().instance.groupBy({ by: ["status"], _count: { _all: true } });
      for (const r of rows) this.set({ status: r.status }, r._count._all);
    },
  });
  new Gauge({
    name: "webwaka_console_upgrade_runs",
    help: "Upgrade runs by status.",
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await getDb().upgradeRun.groupBy({ by: ["status"], _count: { _all: true } });
      for (const r of rows) this.set({ status: r.status }, r._count._all);
    },
  });
  new Gauge({
    name: "webwaka_console_open_alerts",
    help: "Open fleet alerts by kind.",
    labelNames: ["kind"],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await getDb().alert.groupBy({ by: ["kind"], where: { status: "open" }, _count: { _all: true } });
      // Every kind, 0 included, so an alert rule on this gauge sees a kind clear.
      for (const kind of Object.values(AlertKind)) this.set({ kind }, rows.find((r) => r.kind === kind)?._count._all ?? 0);
    },
  });
  new Gauge({
    name: "webwaka_console_audit_entries",
    help: "Entries in the audit log.",
    registers: [registry],
    async collect() {
      this.set(await getDb().auditLog.count());
    },
  });
  // The checkpoint only moves forward and the console cannot write it; a scraper that keeps
  // history sees it go backwards if someone with more rights rewinds it.
  new Gauge({
    name: "webwaka_console_audit_head_seq",
    help: "Sequence number of the audit chain's checkpoint (its newest entry).",
    registers: [registry],
    async collect() {
      this.set((await readChainHeads(getDb())).checkpoint?.seq ?? 0);
    },
  });
  new Gauge({
    name: "webwaka_console_audit_tail_missing",
    help: "Entries the audit checkpoint counts that the chain no longer has (deleted from its tail); 0 when intact.",
    registers: [registry],
    async collect() {
      // Both from one snapshot, so a commit between two reads cannot look like a loss.
      const { checkpoint, last } = await readChainHeads(getDb());
      this.set(Math.max(0, (checkpoint?.seq ?? 0) - (last?.seq ?? 0)));
    },
  });
  registerFleetGauges(registry);
  registerStreamMetrics(registry);
  return registry;
}

// This process's live views: how many streams, and what they cost the database.
function registerStreamMetrics(registry: Registry): void {
  new Gauge({
    name: "webwaka_console_sse_streams",
    help: "SSE streams open on this process.",
    registers: [registry],
    collect() {
      this.set(streamCounters.openStreams);
    },
  });
  for (const [name, help, key] of [
    ["webwaka_console_run_feed_reads_total", "Reads of run events for this process's streams: one per run per notification, however many watch it.", "feedReads"],
    ["webwaka_console_sse_rechecks_total", "Re-checks of open streams' credentials on this process: one per credential every few seconds, however many streams it has.", "rechecks"],
  ] as const) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(streamCounters[key]);
      },
    });
  }
}

const g = globalThis as unknown as { consoleMetrics?: Registry };

export function getMetricsRegistry(): Registry {
  g.consoleMetrics ??= build();
  return g.consoleMetrics;
}
