// R7: API GETs at a steady 50 req/s while 1,000 clients watch a live run, next to the same load
// with nobody watching (the baseline), on the same web process in the same run.
import type { Stack } from "../lib/stack";
import { log, pct, max, RUNS, triple, type Bench } from "./lib";
import { CLIENTS, createBenchRun, eventWriter, openWatchers, sleep, waitForStreamsClosed } from "./sse-clients";

const RATE = 50;
const SECONDS = 20;
// A request unanswered this long counts as not answered.
const TIMEOUT_MS = 60_000;

type Measured = { answered: number; failed: number; p50: number; p95: number; max: number };

/** Open loop: one GET every 1000/RATE ms whatever the answers do, while the run logs 4 events a second. */
async function load(stack: Stack, runId: string): Promise<Measured> {
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
  for (let i = 0; i < RATE * SECONDS; i++) {
    const due = start + (i * 1000) / RATE;
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

function rows(label: string, all: Measured[]): string {
  const f = (k: keyof Measured, unit: "ms" | "") => triple(all.map((m) => m[k]), unit);
  return [
    `| ${label}: answered 2xx within ${TIMEOUT_MS / 1000} s (of ${RATE * SECONDS}) | ${f("answered", "")} |`,
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
    const quiet: Measured[] = [];
    const watched: Measured[] = [];
    for (let i = 0; i < RUNS; i++) {
      const q = await load(stack, runId);
      log(`api-load run ${i + 1} no watchers: ${q.answered} answered, p95 ${q.p95.toFixed(0)} ms`);
      const writer = await eventWriter(stack.databaseUrl, runId);
      const watchers = await openWatchers(`${stack.baseUrl}/api/superadmin/upgrades/${runId}/events`, { authorization: `Bearer ${stack.tokens.viewer}`, "last-event-id": await writer.maxId() });
      await writer.end();
      const w = await load(stack, runId);
      watchers.close();
      log(`api-load run ${i + 1} ${CLIENTS} watchers (connected in ${watchers.connectMs.toFixed(0)} ms, ${watchers.failed()} failed): ${w.answered} answered, p95 ${w.p95.toFixed(0)} ms`);
      await waitForStreamsClosed(stack.baseUrl);
      quiet.push(q);
      watched.push(w);
    }
    return `## R7: API GETs while ${CLIENTS} watch

${RATE} req/s for ${SECONDS} s, open loop (sent on schedule whatever the answers do), alternating
\`GET /api/superadmin/instances\` and \`GET /api/superadmin/upgrades/{id}\` with an approver's API token,
while the watched run logs 4 events a second (insert + \`pg_notify\`). With ${CLIENTS} clients streaming
that run's events (a viewer's token) from the same web process, and the baseline: the same load
and events with no one watching. Goal: all answered, p95 < 200 ms.

| min / median / max over ${RUNS} runs | |
|---|---|
${rows(`${CLIENTS} watching`, watched)}
${rows("no watchers (baseline)", quiet)}`;
  },
};
