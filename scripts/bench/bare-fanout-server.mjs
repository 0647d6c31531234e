// The P3 baseline: the least an SSE fan-out over this database can do. A plain node:http server
// with one LISTEN connection; on each notification it reads the run's new rows once and writes
// them to every open stream of that run. No auth, no framework. Plain JavaScript, run by node as is.
// Usage: DATABASE_URL=… node scripts/bench/bare-fanout-server.mjs   (prints "listening <port>")
import http from "node:http";
import pg from "pg";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error("DATABASE_URL is required");
const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
const listener = new pg.Client({ connectionString: databaseUrl });

/** runId → { clients: Set<ServerResponse>, cursor: bigint, reading: boolean, again: boolean } */
const runs = new Map();

async function pump(runId, run) {
  for (;;) {
    const { rows } = await pool.query(
      "SELECT id::text, type, level, message, data, created_at FROM run_events WHERE run_id = $1 AND id > $2 ORDER BY id LIMIT 500",
      [runId, run.cursor.toString()],
    );
    for (const r of rows) {
      run.cursor = BigInt(r.id);
      const e = { id: r.id, type: r.type, stepKey: null, level: r.level, message: r.message, data: r.data, at: r.created_at.toISOString() };
      const frame = `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
      for (const res of run.clients) res.write(frame);
    }
    if (rows.length < 500) return;
  }
}

function wake(runId) {
  const run = runs.get(runId);
  if (!run) return;
  if (run.reading) {
    run.again = true;
    return;
  }
  run.reading = true;
  pump(runId, run)
    .catch((e) => console.error("[bare] read failed", e))
    .finally(() => {
      run.reading = false;
      if (run.again) {
        run.again = false;
        wake(runId);
      }
    });
}

listener.on("notification", (msg) => {
  if (msg.channel === "run_events" && msg.payload) wake(msg.payload);
});
await listener.connect();
await listener.query("LISTEN run_events");

const server = http.createServer((req, res) => {
  const m = /^\/events\/([^/?]+)/.exec(req.url ?? "");
  if (!m) {
    res.statusCode = 404;
    res.end();
    return;
  }
  const runId = decodeURIComponent(m[1]);
  const last = /^\d+$/.test(String(req.headers["last-event-id"] ?? "")) ? BigInt(String(req.headers["last-event-id"])) : 0n;
  let run = runs.get(runId);
  if (!run) runs.set(runId, (run = { clients: new Set(), cursor: last, reading: false, again: false }));
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", connection: "keep-alive" });
  res.write("retry: 2000\n\n");
  run.clients.add(res);
  req.on("close", () => {
    run.clients.delete(res);
    if (run.clients.size === 0 && !run.reading) runs.delete(runId);
  });
});
// The same accept queue as the console's server (scripts/web-server.mjs), so both meet 1,000
// connections at once on equal terms.
server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => console.log(`listening ${server.address().port}`));
process.on("SIGTERM", () => process.exit(0));
