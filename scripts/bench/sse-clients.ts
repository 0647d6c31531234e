// What the SSE benches share: a run of their own to watch, many streaming clients that time each
// event from its commit to its arrival, and the writer of those events.
import { randomBytes } from "node:crypto";
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
 */
export async function openWatchers(url: string, headers: Record<string, string>, count = CLIENTS): Promise<Watchers> {
  const latencies: number[] = [];
  const aborts: AbortController[] = [];
  let failed = 0;
  const started = performance.now();
  const live: Promise<void>[] = [];
  for (let c = 0; c < count; c++) {
    const ctrl = new AbortController();
    aborts.push(ctrl);
    live.push(
      new Promise<void>((resolve) => {
        void (async () => {
          let ready = false;
          const markReady = () => {
            if (!ready) resolve();
            ready = true;
          };
          try {
            const res = await fetch(url, { headers, signal: ctrl.signal });
            if (!res.ok || !res.body) throw new Error(`SSE answered ${res.status}`);
            const reader = res.body.getReader();
            const dec = new TextDecoder();
            let buf = "";
            for (;;) {
              const { value, done } = await reader.read();
              if (done) throw new Error("ended");
              buf += dec.decode(value, { stream: true });
              let i: number;
              while ((i = buf.indexOf("\n\n")) >= 0) {
                const frame = buf.slice(0, i);
                buf = buf.slice(i + 2);
                if (frame.startsWith("retry:")) markReady();
                const m = /"message":"bench:(\d+(?:\.\d+)?)"/.exec(frame);
                if (m) latencies.push(performance.timeOrigin + performance.now() - Number(m[1]));
              }
            }
          } catch {
            if (!ctrl.signal.aborted) failed++;
            markReady();
          }
        })();
      }),
    );
  }
  await Promise.all(live);
  const connectMs = performance.now() - started;
  return { connectMs, latencies, failed: () => failed, close: () => aborts.forEach((a) => a.abort()) };
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
