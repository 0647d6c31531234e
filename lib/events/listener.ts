import "server-only";
import pg from "pg";
import { getEnv } from "@/lib/env";
import { RUN_EVENTS_CHANNEL } from "@/lib/events/run-events";
import { logError } from "@/lib/log";

// One LISTEN connection per process, fanned out in memory: 500 watchers cost one connection,
// not 500. It reconnects by itself; subscribers re-read from the table, so nothing is lost.
type Callback = () => void;

// The subscription key of watchers of every run (fleet views); run ids are cuids, never "*".
const ANY_RUN = "*";

const g = globalThis as unknown as { runListener?: { subs: Map<string, Set<Callback>>; client: pg.Client | null; connecting: Promise<void> | null } };
const state = (g.runListener ??= { subs: new Map(), client: null, connecting: null });

async function connect(): Promise<void> {
  const client = new pg.Client({ connectionString: getEnv().DATABASE_URL });
  client.on("notification", (msg) => {
    if (msg.channel !== RUN_EVENTS_CHANNEL || !msg.payload) return;
    for (const cb of state.subs.get(msg.payload) ?? []) cb();
    for (const cb of state.subs.get(ANY_RUN) ?? []) cb();
  });
  client.on("error", (e) => {
    logError("run event listener lost its connection; reconnecting", e);
    if (state.client === client) state.client = null;
    client.end().catch(() => undefined);
    reconnect(1000);
  });
  await client.connect();
  await client.query(`LISTEN ${RUN_EVENTS_CHANNEL}`);
  state.client = client;
}

// The database may be away for a while (a restart, an outage): keep trying, backing off to 10 s.
// Subscribers are woken once it is back, and re-read what they missed from the table.
function reconnect(delayMs: number): void {
  setTimeout(() => {
    ensureConnected()
      .then(() => wakeAll())
      .catch(() => reconnect(Math.min(delayMs * 2, 10_000)));
  }, delayMs).unref();
}

function wakeAll(): void {
  for (const set of state.subs.values()) for (const cb of set) cb();
}

async function ensureConnected(): Promise<void> {
  if (state.client) return;
  state.connecting ??= connect().finally(() => {
    state.connecting = null;
  });
  await state.connecting;
}

/** Calls `cb` whenever run `runId` has new events. Returns the unsubscribe function. */
export async function subscribeRun(runId: string, cb: Callback): Promise<() => void> {
  await ensureConnected();
  let set = state.subs.get(runId);
  if (!set) state.subs.set(runId, (set = new Set<Callback>()));
  set.add(cb);
  return () => {
    set.delete(cb);
    if (set.size === 0) state.subs.delete(runId);
  };
}

/** Calls `cb` whenever any run has new events (fleet views such as the approval queue). */
export function subscribeAllRuns(cb: Callback): Promise<() => void> {
  return subscribeRun(ANY_RUN, cb);
}
