// What the SSE benches share: a run of their own to watch, many streaming clients that time each
// event from its commit to its arrival, and the writer of those events.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import pg from "pg";

export const CLIENTS = Number(process.env.BENCH_SSE_CLIENTS ?? 1000);

/** An instance and a finished run of its own (so no worker picks it up); returns the run's id. */
export async function createBenchRun(databaseUrl: string): Promise<string> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const tag = `bench-sse-${Date.now()}-${randomBytes(3).toString("hex")}`;
    await db.query("INSERT INTO instances (id, name, url, version, updated_at) VALUES ($1, $1, 'http://127.0.0.1:1', '1.0.0', now())", [tag]);
    await db.query("INSERT INTO upgrade_runs (id, instance_id, from_version, to_version, status, trigger, updated_at) VALUES ($1, $1, '1.0.0', '1.1.0', 'succeeded', 'manual', now())", [tag]);
    return tag;
  } finally {
    await db.end();
  }
}

export type Watchers = {
  /** Milliseconds from the first request to the last client's stream being live (its `retry:` hint). */
  connectMs: number;
  /** Per delivered event: milliseconds from its commit to its parse by the client. */
  latencies: number[];
  /** Clients whose stream failed or ended early. */
  failed: () => number;
  close: () => void;
};

/**
 * Opens `count` streams of `url` (all at once, as a fleet of browsers reconnecting would) and
 * resolves once every one is live. Each frame whose message is `bench:<epoch ms>` is timed.
 * Plain node:http with a socket per stream, so the clients cost as little as they can.
 */
export async function openWatchers(url: string, headers: Record<string, string>, count = CLIENTS): Promise<Watchers> {
  const latencies: number[] = [];
  const requests: http.ClientRequest[] = [];
  let failed = 0;
  let closing = false;
  const started = performance.now();
  const live: Promise<void>[] = [];
  for (let c = 0; c < count; c++) {
    live.push(
      new Promise<void>((resolve) => {
        let ready = false;
        const markReady = () => {
          if (!ready) resolve();
          ready = true;
        };
        const fail = () => {
          if (!closing) failed++;
          markReady();
        };
        const req = http.get(url, { headers, agent: false }, (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            return fail();
          }
          res.setEncoding("utf8");
          let buf = "";
          res.on("data", (chunk: string) => {
            buf += chunk;
            let i: number;
            while ((i = buf.indexOf("\n\n")) >= 0) {
              const frame = buf.slice(0, i);
              buf = buf.slice(i + 2);
              if (frame.startsWith("retry:")) markReady();
              const m = /"message":"bench:(\d+(?:\.\d+)?)"/.exec(frame);
              if (m) latencies.push(performance.timeOrigin + performance.now() - Number(m[1]));
            }
          });
          res.on("end", fail);
          res.on("error", fail);
        });
        req.on("error", fail);
        requests.push(req);
      }),
    );
  }
  await Promise.all(live);
  const connectMs = performance.now() - started;
  const close = () => {
    closing = true;
    for (const r of requests) r.destroy();
  };
  return { connectMs, latencies, failed: () => failed, close };
}

/** Writes events to a run as the engine does (insert + pg_notify in one transaction). */
export async function eventWriter(databaseUrl: string, runId: string) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  return {
    async maxId(): Promise<string> {
      return (await db.query<{ m: string }>("SELECT coalesce(max(id), 0)::text AS m FROM run_events WHERE run_id = $1", [runId])).rows[0]?.m ?? "0";
    },
    async write(): Promise<void> {
      const sentAt = performance.timeOrigin + performance.now();
      await db.query("BEGIN");
      await db.query("INSERT INTO run_events (run_id, type, level, message) VALUES ($1, 'log', 'info', $2)", [runId, `bench:${sentAt}`]);
      await db.query("SELECT pg_notify('run_events', $1)", [runId]);
      await db.query("COMMIT");
    },
    end: () => db.end(),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `have()` reaches `want` or `ms` pass. */
export async function waitFor(have: () => number, want: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (have() < want && Date.now() < deadline) await sleep(100);
}

/** Server-side sockets open on 127.0.0.1:`port` (from /proc/net/tcp: local port, state ESTABLISHED). */
function openSockets(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .filter((l) => l.trim().split(/\s+/)[1]?.endsWith(`:${hex}`) && l.trim().split(/\s+/)[3] === "01").length;
}

/** Waits (up to 30 s) until the server at `url` has let go of the streams the clients closed. */
export async function waitForStreamsClosed(url: string): Promise<void> {
  const port = Number(new URL(url).port);
  const deadline = Date.now() + 30_000;
  while (openSockets(port) > 20 && Date.now() < deadline) await sleep(250);
}

/** CPU time (user + system) process `pid` has used so far, in ms. */
export function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}
