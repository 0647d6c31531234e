// R7: API GETs at a steady 50 req/s while 1,000 clients watch a live run, next to the same load
// with nobody watching (the baseline), on the same web process in the same run.
import type { Stack } from "../lib/stack";
import { log, pct, max, RUNS, triple, type Bench } from "./lib";
import { CLIENTS, createBenchRun, eventWriter, openWatchers, sleep, waitForStreamsClosed } from "./sse-clients";

// The goal's rate, and a light one that this (shared, 2-core) machine's console serves
// even with nobody watching, so the watchers' own cost shows apart from saturation.
const RATES = [50, 10];
const SECONDS = 20;
// A request unanswered this long counts as not answered.
const TIMEOUT_MS = 60_000;

type Measured = { answered: number; failed: number; p50: number; p95: number; max: number };

/** Open loop: one GET every 1000/rate ms whatever the answers do, while the run logs 4 events a second. */
async function load(stack: Stack, runId: string, rate: number): Promise<Measured> {
  const paths = ["/api/superadmin/instances", `/api/superadmin/upgrades/${runId}`];
  const writer = await eventWriter(stack.databaseUrl, runId);
  let writing = true;
  const events = (async () => {
    while (writing) {
      await writer.write();
      await sleep(250);
    }
  })();
  const latencies: number[] = [];
  let failed = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < rate * SECONDS; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const t = performance.now();
    pending.push(
      fetch(`${stack.baseUrl}${paths[i % paths.length]}`, { headers: { authorization: `Bearer ${stack.tokens.approver}` }, signal: AbortSignal.timeout(TIMEOUT_MS) })
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.ok) latencies.push(performance.now() - t);
          else failed++;
        })
        .catch(() => undefined),
    );
  }
  await Promise.all(pending);
  writing = false;
  await events;
  await writer.end();
  return { answered: latencies.length, failed, p50: pct(latencies, 50), p95: pct(latencies, 95), max: max(latencies) };
}

function rows(label: string, rate: number, all: Measured[]): string {
  const f = (k: keyof Measured, unit: "ms" | "") => triple(all.map((m) => m[k]), unit);
  return [
    `| ${label}: answered 2xx within ${TIMEOUT_MS / 1000} s (of ${rate * SECONDS}) | ${f("answered", "")} |`,
    `| ${label}: answered with an error | ${f("failed", "")} |`,
    `| ${label}: p50 | ${f("p50", "ms")} |`,
    `| ${label}: p95 | ${f("p95", "ms")} |`,
    `| ${label}: max | ${f("max", "ms")} |`,
  ].join("\n");
}

export const apiLoadBench: Bench = {
  name: "api-load",
  needsServer: true,
  async run(stack) {
    const runId = await createBenchRun(stack.databaseUrl);
    const quiet = new Map<number, Measured[]>(RATES.map((r) => [r, []]));
    const watched = new Map<number, Measured[]>(RATES.map((r) => [r, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const rate of RATES) {
        const q = await load(stack, runId, rate);
        log(`api-load run ${i + 1} ${rate}/s no watchers: ${q.answered} answered, p95 ${q.p95.toFixed(0)} ms`);
        await waitForStreamsClosed(stack.baseUrl);
        quiet.get(rate)!.push(q);
      }
      const writer = await eventWriter(stack.databaseUrl, runId);
      const watchers = await openWatchers(`${stack.baseUrl}/api/superadmin/upgrades/${runId}/events`, { authorization: `Bearer ${stack.tokens.viewer}`, "last-event-id": await writer.maxId() });
      await writer.end();
      for (const rate of RATES) {
        const w = await load(stack, runId, rate);
        log(`api-load run ${i + 1} ${rate}/s ${CLIENTS} watchers (connected in ${watchers.connectMs.toFixed(0)} ms, ${watchers.failed()} failed): ${w.answered} answered, p95 ${w.p95.toFixed(0)} ms`);
        watched.get(rate)!.push(w);
      }
      watchers.close();
      await waitForStreamsClosed(stack.baseUrl);
    }
    const table = RATES.map((rate) => `${rows(`${rate}/s, ${CLIENTS} watching`, rate, watched.get(rate)!)}\n${rows(`${rate}/s, no watchers (baseline)`, rate, quiet.get(rate)!)}`).join("\n");
    return `## R7: API GETs while ${CLIENTS} watch

${RATES.join(" and ")} req/s for ${SECONDS} s each, open loop (sent on schedule whatever the answers do),
alternating \`GET /api/superadmin/instances\` and \`GET /api/superadmin/upgrades/{id}\` with an approver's
API token, while the watched run logs 4 events a second (insert + \`pg_notify\`). With ${CLIENTS} clients
streaming that run's events (a viewer's token) from the same web process, and the baseline: the
same load and events with no one watching. ${RATES[0]} req/s is the goal's rate; ${RATES[1]} req/s is one this
shared machine serves without watchers, so what the watchers themselves cost shows apart from
saturation. Goal: at ${RATES[0]} req/s all answered, p95 < 200 ms.

| min / median / max over ${RUNS} runs | |
|---|---|
${table}`;
  },
};
