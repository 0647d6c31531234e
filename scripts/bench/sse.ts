// P3: SSE delivery latency with many clients watching one run, from one web process.
import pg from "pg";
import type { Stack } from "../lib/stack";
import { log, pct, rssMiB, max, type Bench } from "./lib";

const CLIENTS = Number(process.env.BENCH_SSE_CLIENTS ?? 1000);
const EVENTS = 20;

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

export const sseBench: Bench = {
  name: "sse",
  needsServer: true,
  async run(stack) {
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    const runId = (await db.query<{ id: string }>("SELECT id::text FROM upgrade_runs ORDER BY id DESC LIMIT 1")).rows[0]?.id;
    await db.end();
    if (!runId) throw new Error("The sse bench needs a run to watch; the seed made none.");
    const sse = await benchSse(stack, runId);
    return `## P3: SSE delivery with ${CLIENTS} connected clients

${EVENTS} events written to one run (insert + \`pg_notify\`, 250 ms apart) while ${CLIENTS} clients
streamed \`GET /api/superadmin/upgrades/{id}/events\` from one web process.

| | |
|---|---|
| events delivered | ${sse.delivered} of ${sse.expected} |
| latency p50 | ${pct(sse.latencies, 50).toFixed(0)} ms |
| latency p95 | ${pct(sse.latencies, 95).toFixed(0)} ms |
| latency p99 | ${pct(sse.latencies, 99).toFixed(0)} ms |
| latency max | ${max(sse.latencies).toFixed(0)} ms |
| server RSS, idle → ${CLIENTS} clients connected | ${sse.rssBefore} → ${sse.rssConnected} MiB |

Latency is from the commit of the event's row to the client parsing it, on the same machine.`;
  },
};
