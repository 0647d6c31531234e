// P3: SSE delivery with many clients watching one run from one web process, next to a bare fan-out
// server (scripts/bench/bare-fanout-server.mjs) on the same database, with the same clients and
// the same events, in the same run.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { log, pct, max, rssMiB, root, RUNS, triple, type Bench } from "./lib";
import { CLIENTS, cpuMs, createBenchRun, eventWriter, openWatchers, sleep, waitFor, waitForStreamsClosed } from "./sse-clients";

const EVENTS = 20;
const EVENT_GAP_MS = 250;

type Measured = { connectCpu: number; fanoutCpu: number; connectMs: number; p50: number; p95: number; p99: number; max: number; delivered: number; failed: number; rssIdle: number; rssConnected: number };

async function startBareServer(databaseUrl: string): Promise<{ url: string; pid: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(root, "scripts/bench/bare-fanout-server.mjs")], { env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`the bare server exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid ?? 0, child };
}

/** One measurement: CLIENTS streams of `url`, EVENTS events written 250 ms apart, every delivery timed. */
async function measure(opts: { url: string; headers: Record<string, string>; pid: number; databaseUrl: string; runId: string }): Promise<Measured> {
  const writer = await eventWriter(opts.databaseUrl, opts.runId);
  const rssIdle = rssMiB(opts.pid);
  const cpu0 = cpuMs(opts.pid);
  const watchers = await openWatchers(opts.url, { ...opts.headers, "last-event-id": await writer.maxId() });
  await sleep(1000);
  const rssConnected = rssMiB(opts.pid);
  const cpu1 = cpuMs(opts.pid);
  for (let e = 0; e < EVENTS; e++) {
    await writer.write();
    await sleep(EVENT_GAP_MS);
  }
  await waitFor(() => watchers.latencies.length, CLIENTS * EVENTS, 15_000);
  const cpu2 = cpuMs(opts.pid);
  watchers.close();
  await writer.end();
  // Let the server notice the closed streams before the next measurement.
  await waitForStreamsClosed(opts.url);
  const l = watchers.latencies;
  return { connectCpu: cpu1 - cpu0, fanoutCpu: cpu2 - cpu1, connectMs: watchers.connectMs, p50: pct(l, 50), p95: pct(l, 95), p99: pct(l, 99), max: max(l), delivered: l.length, failed: watchers.failed(), rssIdle, rssConnected };
}

function rows(label: string, all: Measured[]): string {
  const f = (k: keyof Measured, unit: "ms" | "s" | "MiB" | "") => triple(all.map((m) => m[k]), unit);
  return [
    `| ${label}: events delivered (of ${CLIENTS * EVENTS}) | ${f("delivered", "")} |`,
    `| ${label}: streams failed | ${f("failed", "")} |`,
    `| ${label}: connect ${CLIENTS} clients | ${f("connectMs", "s")} |`,
    `| ${label}: delivery p50 | ${f("p50", "ms")} |`,
    `| ${label}: delivery p95 | ${f("p95", "ms")} |`,
    `| ${label}: delivery p99 | ${f("p99", "ms")} |`,
    `| ${label}: delivery max | ${f("max", "ms")} |`,
    `| ${label}: server CPU to connect them | ${f("connectCpu", "s")} |`,
    `| ${label}: server CPU for the ${EVENTS} events | ${f("fanoutCpu", "s")} |`,
    `| ${label}: server RSS idle | ${f("rssIdle", "MiB")} |`,
    `| ${label}: server RSS, ${CLIENTS} connected | ${f("rssConnected", "MiB")} |`,
  ].join("\n");
}

export const sseBench: Bench = {
  name: "sse",
  needsServer: true,
  async run(stack) {
    const runId = await createBenchRun(stack.databaseUrl);
    const bare = await startBareServer(stack.databaseUrl);
    const consoleRuns: Measured[] = [];
    const bareRuns: Measured[] = [];
    try {
      // One untimed round for each first: the console's first 1,000 streams also compile the
      // route's code paths and grow its heap, which is start-up, not delivery.
      for (let i = -1; i < RUNS; i++) {
        const c = await measure({ url: `${stack.baseUrl}/api/superadmin/upgrades/${runId}/events`, headers: { authorization: `Bearer ${stack.tokens.viewer}` }, pid: stack.serverPid, databaseUrl: stack.databaseUrl, runId });
        log(`sse ${i < 0 ? "warm-up" : `run ${i + 1}`} console: connect ${c.connectMs.toFixed(0)} ms, p95 ${c.p95.toFixed(0)} ms, ${c.delivered} delivered, ${c.failed} failed`);
        const b = await measure({ url: `${bare.url}/events/${runId}`, headers: {}, pid: bare.pid, databaseUrl: stack.databaseUrl, runId });
        log(`sse ${i < 0 ? "warm-up" : `run ${i + 1}`} bare: connect ${b.connectMs.toFixed(0)} ms, p95 ${b.p95.toFixed(0)} ms, ${b.delivered} delivered, ${b.failed} failed`);
        if (i < 0) continue;
        consoleRuns.push(c);
        bareRuns.push(b);
      }
    } finally {
      bare.child.kill("SIGTERM");
    }
    return `## P3: SSE delivery with ${CLIENTS} watchers of one run

${EVENTS} events written to one run (insert + \`pg_notify\` in one transaction, ${EVENT_GAP_MS} ms apart)
while ${CLIENTS} clients stream it from one process: the console's
\`GET /api/superadmin/upgrades/{id}/events\` (a viewer's API token), and the baseline, a bare
fan-out server (\`scripts/bench/bare-fanout-server.mjs\`: node:http, one LISTEN connection, one
read per notification written to every stream, no auth, no framework) on the same database.
Clients connect all at once with \`Last-Event-ID\` at the run's latest event. Delivery is from
the event's commit to its parse by the client, on the same machine, after one untimed warm-up
round for each server. Server CPU is the process's
user + system time (/proc) over the phase: on a shared machine it says what the work costs where
wall times mostly say how long the process waited for a core. Goal: console p95 < 100 ms.

| min / median / max over ${RUNS} runs | |
|---|---|
${rows("console", consoleRuns)}
${rows("bare", bareRuns)}`;
  },
};
