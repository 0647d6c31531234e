// P6: one pass of the auto-update scan (lib/auto-update/scan-fleet.ts) over 10,000 instances and
// 20 releases (scripts/bench/scan-data.ts), in this process, through the same modules the worker
// uses. "Nothing to do": the fleet runs the newest release it may take. "Release day": a newer
// release, which most of the fleet takes; its runs are removed between runs. Statements are
// counted at the driver: every query any pg client of this process sends while the scan runs
// (Prisma's through @prisma/adapter-pg, pg-boss's), BEGIN and COMMIT included. The seed's own
// instances are frozen while the bench runs and given their channels back afterwards.
import pg from "pg";
import type { Stack } from "../lib/stack";
import { log, RUNS, triple, type Bench } from "./lib";
import { addReleaseDay, bulkInsertRuns, CANDIDATES_SQL, deleteScanFleet, deleteScanRuns, provisionScanFleet, RELEASE_DAY, SCAN_PREFIX } from "./scan-data";

const INSTANCES = Number(process.env.BENCH_SCAN_INSTANCES ?? 10_000);
// Release day takes minutes before the batching: BENCH_SCAN_DAY_RUNS=1 measures it once.
const DAY_RUNS = Number(process.env.BENCH_SCAN_DAY_RUNS ?? RUNS);

let statements = 0;
function countStatements(): void {
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown; __counted?: boolean };
  if (proto.__counted) return;
  const original = proto.query;
  proto.query = function (this: unknown, ...a: unknown[]) {
    statements++;
    return original.apply(this, a);
  };
  proto.__counted = true;
}

type Pass = { ms: number; statements: number; created: number; byAction: Record<string, number> };

async function onePass(): Promise<Pass> {
  const { scanFleet } = await import("../../lib/auto-update/scan-fleet");
  const before = statements;
  const t = performance.now();
  const outcomes = await scanFleet();
  const ms = performance.now() - t;
  const byAction: Record<string, number> = {};
  for (const o of outcomes) if (o.instanceId.startsWith(SCAN_PREFIX)) byAction[o.action] = (byAction[o.action] ?? 0) + 1;
  return { ms, statements: statements - before, created: outcomes.filter((o) => o.action !== "none").length, byAction };
}

async function timed(url: string, sql: string, values: unknown[] = []): Promise<{ ms: number; rows: Record<string, string>[] }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const t = performance.now();
    const r = await c.query<Record<string, string>>(sql, values);
    return { ms: performance.now() - t, rows: r.rows };
  } finally {
    await c.end();
  }
}

const actions = (p: Pass) => Object.entries(p.byAction).map(([k, v]) => `${v} ${k.replaceAll("_", " ")}`).join(", ");

export const scanBench: Bench = {
  name: "scan",
  needsServer: false,
  async run(stack: Stack) {
    countStatements();
    const url = stack.databaseUrl;
    const owner = stack.env.TEST_OWNER_DATABASE_URL ?? url;
    await deleteScanFleet(url);
    // The seed's instances sit out the bench (frozen), and get their channels back at the end.
    const parked = await timed(url, `UPDATE instances i SET update_channel = 'frozen' FROM instances o WHERE o.id = i.id AND i.id NOT LIKE $1 || '%' AND i.update_channel <> 'frozen' RETURNING i.id, o.update_channel::text AS channel`, [SCAN_PREFIX]);
    const t0 = performance.now();
    const fleet = await provisionScanFleet(url, INSTANCES);
    await timed(owner, "ANALYZE instances, maintenance_windows, freeze_periods, upgrade_runs, releases");
    const provisionMs = performance.now() - t0;
    log(`provisioned ${fleet.instances} instances, ${fleet.windows} windows, ${fleet.runs} runs in ${(provisionMs / 1000).toFixed(1)} s`);
    const idle: Pass[] = [];
    const day: Pass[] = [];
    const idleBase: number[] = [];
    const dayBase: number[] = [];
    let candidates = 0;
    try {
      // Untimed: loads the modules and opens the pools.
      await onePass();
      for (let r = 0; r < RUNS; r++) {
        const p = await onePass();
        idle.push(p);
        const b = await timed(url, CANDIDATES_SQL);
        candidates = b.rows.length;
        idleBase.push(b.ms);
        log(`nothing to do, run ${r + 1}: ${p.ms.toFixed(0)} ms, ${p.statements} statements, ${p.created} created; baseline query ${b.ms.toFixed(0)} ms (${b.rows.length} candidates)`);
      }
      await addReleaseDay(url);
      for (let r = 0; r < DAY_RUNS; r++) {
        const p = await onePass();
        day.push(p);
        dayBase.push(await bulkInsertRuns(url, p.created));
        log(`release day, run ${r + 1}: ${(p.ms / 1000).toFixed(1)} s, ${p.statements} statements, ${actions(p)}; baseline insert ${dayBase.at(-1)?.toFixed(0)} ms`);
        await deleteScanRuns(url);
      }
    } finally {
      const { stopBoss } = await import("../../lib/jobs/queue");
      await stopBoss();
      const removed = await deleteScanFleet(url);
      for (const p of parked.rows) await timed(url, `UPDATE instances SET update_channel = $2::"UpdateChannel" WHERE id = $1`, [p.id, p.channel]);
      log(`removed the ${removed} provisioned instances`);
    }
    const perCreated = day.map((p) => p.statements / Math.max(1, p.created));
    return `## P6: the auto-update scan at fleet scale

One pass of \`scanFleet\` (the worker's auto-update scan), called in the bench process through the
same modules the worker uses, over ${fleet.instances} instances written with SQL
(\`scripts/bench/scan-data.ts\`, ${(provisionMs / 1000).toFixed(1)} s): 20 platform releases, channels
(6 in 10 auto-update, 3 manual-approval, 1 frozen), pins, ${fleet.windows} weekly windows in seven
time zones, ${fleet.freezes} freezes, ${fleet.active} active runs and ${fleet.runs - fleet.active} finished
ones (one failed target in 16 instances). Statements are every query the process's pg clients
sent during the pass (Prisma and pg-boss, BEGIN/COMMIT included), counted at the driver.

- **Nothing to do**: the fleet already runs the newest release it may take.
  Baseline: one SQL query that finds the same candidates (${candidates} rows).
- **Release day**: a new stable release ${RELEASE_DAY}; the pass creates its runs (${actions(day[0] ?? { ms: 0, statements: 0, created: 0, byAction: {} })}),
  with steps, checklists, audit entries, run events, notifications and jobs; they are removed
  between runs. Baseline: one bulk \`INSERT … SELECT\` of the same number of bare run rows.${DAY_RUNS === RUNS ? "" : `\n  Release day measured over ${DAY_RUNS} run(s) only (BENCH_SCAN_DAY_RUNS).`}

| pass | time | statements | baseline | goal |
|---|---|---|---|---|
| nothing to do | ${triple(idle.map((p) => p.ms))} | ${triple(idle.map((p) => p.statements), "")} | ${triple(idleBase)} | < 2 s, statements independent of N |
| release day | ${triple(day.map((p) => p.ms), "s")} | ${triple(day.map((p) => p.statements), "")} (${triple(perCreated, "", 2)} per request created) | ${triple(dayBase)} | < 60 s |`;
  },
};
