// `npm run bench`: measures, on this machine, with a real stack (scripts/lib/stack.ts):
//   1. one upgrade through the console against a plain script running the same commands;
//   2. the time of an emergency rollback;
//   3. SSE delivery latency with 500 connected clients.
// Results go to docs/benchmarks.md. Nothing here is asserted: numbers are reported, not tested.
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startStack, type Stack } from "../lib/stack";
import { freePort } from "../lib/local-postgres";

const root = path.resolve(import.meta.dirname, "../..");
const log = (line: string) => console.log(`[bench] ${line}`);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CLIENTS = Number(process.env.BENCH_SSE_CLIENTS ?? 500);
const EVENTS = 20;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

async function lib() {
  const { getDb } = await import("../../lib/db");
  const { provisionProcessInstance } = await import("../../lib/instances/provision-instance");
  const { loadRuntime, releaseArtifacts } = await import("../../lib/runtime/load-runtime");
  const platform = await import("../../lib/runtime/platform-client");
  const { pgDump, pgRestoreList } = await import("../../lib/backups/pg-tools");
  return { getDb, provisionProcessInstance, loadRuntime, releaseArtifacts, platform, pgDump, pgRestoreList };
}

async function newInstance(stack: Stack, name: string): Promise<string> {
  const { getDb, provisionProcessInstance } = await lib();
  const row = await getDb().instance.create({ data: { name, url: "http://127.0.0.1:1", version: "1.0.0", updateChannel: "auto_update" } });
  await provisionProcessInstance({ instanceId: row.id, adminDatabaseUrl: stack.adminUrl, port: await freePort() });
  return row.id;
}

async function waitStatus(runId: string, want: string[], timeoutMs = 120_000): Promise<string> {
  const { getDb } = await lib();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await getDb().upgradeRun.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
    if (want.includes(r.status)) return r.status;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${r.status}`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

async function post(stack: Stack, url: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${stack.baseUrl}${url}`, { method: "POST", headers: { authorization: `Bearer ${stack.tokens.superadmin}`, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** The same runbook commands as the engine's steps, run one after another with nothing around them. */
async function plainUpgrade(instanceId: string): Promise<void> {
  const { getDb, loadRuntime, releaseArtifacts, platform, pgDump, pgRestoreList } = await lib();
  const db = getDb();
  const inst = await db.instance.findUniqueOrThrow({ where: { id: instanceId }, include: { host: true } });
  const { driver, runtime, baseUrl } = await loadRuntime(inst);
  const target = releaseArtifacts(await db.release.findUniqueOrThrow({ where: { type_version: { type: "platform", version: "1.1.0" } }, include: { artifacts: true } }));
  const quiet = () => undefined;
  const dump = path.join(os.tmpdir(), `bench-${instanceId}.dump`);
  await pgDump(runtime.databaseUrl, dump, 600_000);
  await pgRestoreList(dump);
  await platform.getHealth(baseUrl);
  await platform.getActiveJobs(baseUrl);
  await platform.setPlatformMaintenance(baseUrl, runtime.adminToken, true, "upgrade");
  await platform.pauseJobs(baseUrl, runtime.adminToken);
  await driver.pull(runtime, target, quiet);
  await driver.migrate(runtime, target, { direction: "up" }, quiet);
  await driver.deploy(runtime, target, quiet);
  for (;;) {
    const h = await platform.getHealth(baseUrl).catch(() => null);
    if (h?.status === "healthy") break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await platform.runSmokeTest(baseUrl, { adminToken: runtime.adminToken });
  await platform.getRequestCounts(baseUrl);
  await platform.setPlatformMaintenance(baseUrl, runtime.adminToken, false);
  await platform.resumeJobs(baseUrl, runtime.adminToken);
}

async function benchUpgrades(stack: Stack) {
  const console_: number[] = [];
  const plain: number[] = [];
  const emergency: number[] = [];
  let lastRun = "";
  for (let i = 0; i < RUNS; i++) {
    const a = await newInstance(stack, `bench-console-${i}-${Date.now()}`);
    let t = performance.now();
    const created = (await post(stack, `/api/superadmin/instances/${a}/upgrades`, { targetVersion: "1.1.0", rollbackPlan: "bench", checklist: { maintenanceWindowScheduled: true, stakeholdersNotified: true, rollbackPlanPrepared: true } })) as { upgrade: { id: string } };
    await waitStatus(created.upgrade.id, ["monitoring", "failed", "rolled_back"]);
    console_.push(performance.now() - t);
    lastRun = created.upgrade.id;

    t = performance.now();
    const rb = (await post(stack, `/api/superadmin/instances/${a}/rollback/emergency`)) as { rollback: { id: string } };
    const end = await waitStatus(rb.rollback.id, ["succeeded", "failed"]);
    emergency.push(performance.now() - t);
    if (end !== "succeeded") log(`emergency rollback ${rb.rollback.id} ended ${end}`);

    const b = await newInstance(stack, `bench-plain-${i}-${Date.now()}`);
    t = performance.now();
    await plainUpgrade(b);
    plain.push(performance.now() - t);
    log(`round ${i + 1}: console ${(console_.at(-1)! / 1000).toFixed(2)} s, plain ${(plain.at(-1)! / 1000).toFixed(2)} s, emergency rollback ${(emergency.at(-1)! / 1000).toFixed(2)} s`);
  }
  return { console_, plain, emergency, lastRun };
}

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

async function benchSse(stack: Stack, runId: string) {
  const rssBefore = rssMiB(stack.serverPid);
  const latencies: number[] = [];
  const ready: Promise<void>[] = [];
  const aborts: AbortController[] = [];
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  const maxId = (await db.query<{ m: string }>("SELECT coalesce(max(id), 0)::text AS m FROM run_events WHERE run_id = $1", [runId])).rows[0]?.m ?? "0";
  for (let c = 0; c < CLIENTS; c++) {
    const ctrl = new AbortController();
    aborts.push(ctrl);
    ready.push(
      (async () => {
        const res = await fetch(`${stack.baseUrl}/api/superadmin/upgrades/${runId}/events`, { headers: { authorization: `Bearer ${stack.tokens.viewer}`, "last-event-id": maxId }, signal: ctrl.signal });
        if (!res.ok || !res.body) throw new Error(`SSE answered ${res.status}`);
        const reader = res.body.getReader();
        const dec = new TextDecoder();
        let buf = "";
        void (async () => {
          try {
            for (;;) {
              const { value, done } = await reader.read();
              if (done) return;
              buf += dec.decode(value, { stream: true });
              let i: number;
              while ((i = buf.indexOf("\n\n")) >= 0) {
                const frame = buf.slice(0, i);
                buf = buf.slice(i + 2);
                const m = /"message":"bench:(\d+(?:\.\d+)?)"/.exec(frame);
                if (m) latencies.push(performance.timeOrigin + performance.now() - Number(m[1]));
              }
            }
          } catch {
            // aborted at the end
          }
        })();
      })(),
    );
  }
  await Promise.all(ready);
  await new Promise((r) => setTimeout(r, 1000));
  const rssConnected = rssMiB(stack.serverPid);
  log(`${CLIENTS} SSE clients connected; server RSS ${rssBefore} → ${rssConnected} MiB`);
  for (let e = 0; e < EVENTS; e++) {
    const sentAt = performance.timeOrigin + performance.now();
    await db.query("BEGIN");
    await db.query("INSERT INTO run_events (run_id, type, level, message) VALUES ($1, 'log', 'info', $2)", [runId, `bench:${sentAt}`]);
    await db.query("SELECT pg_notify('run_events', $1)", [runId]);
    await db.query("COMMIT");
    await new Promise((r) => setTimeout(r, 250));
  }
  const deadline = Date.now() + 15_000;
  while (latencies.length < CLIENTS * EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const a of aborts) a.abort();
  await db.end();
  return { latencies, delivered: latencies.length, expected: CLIENTS * EVENTS, rssBefore, rssConnected };
}

const stack = await startStack({ root, work: path.join(root, ".bench-data"), name: "console_bench", extraEnv: { API_RATE_LIMIT: "1000000" }, log });
try {
  stack.startWorker();
  const up = await benchUpgrades(stack);
  const sse = await benchSse(stack, up.lastRun);
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const ratio = median(up.console_) / median(up.plain);
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const report = `# Benchmarks

Measured by \`npm run bench\` (\`scripts/bench/run.ts\`) on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}.
Each figure is the median of ${RUNS} runs on fresh instances of the reference platform (process driver)
unless it says otherwise. They are measurements, not limits: no test asserts them.

## One upgrade, 1.0.0 → 1.1.0

| how | median | runs |
|---|---|---|
| through the console (API call → run \`monitoring\`) | ${s(median(up.console_))} | ${up.console_.map(s).join(", ")} |
| a plain script running the same commands | ${s(median(up.plain))} | ${up.plain.map(s).join(", ")} |
| **ratio console / script** | **${ratio.toFixed(2)}×** | |

The plain script runs the same steps (pg_dump and pg_restore --list, health and job checks,
maintenance on, pull with sha256, migrate, deploy, health, smoke test, metrics, maintenance off)
through the same driver, with no queue, rows, events, audit or checklist around them. The
difference is what the console adds: the job queue pickup, a row and a notification per state
change and log line, the config snapshot, the audit entries, and the lease heartbeats.

## Emergency rollback

| | median | runs |
|---|---|---|
| API call → rollback run \`succeeded\` (restore from backup, redeploy 1.0.0, health) | ${s(median(up.emergency))} | ${up.emergency.map(s).join(", ")} |

## Live progress: SSE delivery with ${CLIENTS} connected clients

${EVENTS} events written to one run (insert + \`pg_notify\`, 250 ms apart) while ${CLIENTS} clients
streamed \`GET /api/superadmin/upgrades/{id}/events\` from one \`next start\` process.

| | |
|---|---|
| events delivered | ${sse.delivered} of ${sse.expected} |
| latency p50 | ${pct(sse.latencies, 50).toFixed(0)} ms |
| latency p95 | ${pct(sse.latencies, 95).toFixed(0)} ms |
| latency p99 | ${pct(sse.latencies, 99).toFixed(0)} ms |
| latency max | ${Math.max(...sse.latencies).toFixed(0)} ms |
| server RSS, idle → ${CLIENTS} clients connected | ${sse.rssBefore} → ${sse.rssConnected} MiB |

Latency is from the commit of the event's row to the client parsing it, on the same machine.
`;
  writeFileSync(path.join(root, "docs/benchmarks.md"), report);
  console.log(report);
} finally {
  await stack.stop();
}
