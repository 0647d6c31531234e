// The shared run feed in-process against the suite's real database and its real LISTEN: every
// watcher gets exactly the events after its own cursor, in order, without a gap or a repeat,
// however it joins, while the run is read once per notification for all of them.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { testDb } from "@/test/support/db";
import { OWNER_DATABASE_URL } from "@/test/support/env";
import { waitUntil } from "@/test/support/wait";
import { emitRunEvent } from "@/lib/events/run-events";
import { runWatcherCount, watchRun, type FeedWatcher } from "@/lib/events/run-feed";
import { streamCounters } from "@/lib/metrics/stream-counters";

let runId = "";
const instanceIds: string[] = [];

beforeEach(async () => {
  const name = `feed-${randomBytes(4).toString("hex")}`;
  const inst = await testDb().instance.create({ data: { name, url: "http://127.0.0.1:1", version: "1.0.0" } });
  instanceIds.push(inst.id);
  runId = (await testDb().upgradeRun.create({ data: { instanceId: inst.id, fromVersion: "1.0.0", toVersion: "1.1.0", status: "succeeded", trigger: "manual" } })).id;
});

afterAll(async () => {
  await testDb().instance.deleteMany({ where: { id: { in: instanceIds } } });
});

/** Commits `n` events (with their notification, as the engine does); returns their ids. */
async function emit(n: number): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (let i = 0; i < n; i++) ids.push(await testDb().$transaction((tx) => emitRunEvent(tx, runId, { type: "log", level: "info", message: `line ${i}` })));
  return ids;
}

type Probe = FeedWatcher & { got: bigint[]; from: bigint };

function probe(cursor: bigint): Probe {
  const got: bigint[] = [];
  return { cursor, from: cursor, got, deliver: (e) => got.push(BigInt(e.id)) };
}

/** Each probe got exactly the ids in `all` after its starting cursor, in order. */
async function expectExactly(probes: Probe[], all: bigint[]): Promise<void> {
  const want = (p: Probe) => all.filter((id) => id > p.from);
  await waitUntil("every watcher caught up", async () => probes.every((p) => p.got.length >= want(p).length), 20_000, 50).catch(() => undefined);
  for (const p of probes) expect(p.got, `watcher from ${p.from}`).toEqual(want(p));
}

/**
 * Holds the feed's next read in flight: it waits for a table lock taken here, woken by a bare
 * notification. `commit` inserts `n` rows without a notification, then lets the read go.
 */
async function holdNextRead(): Promise<{ commit: (n: number) => Promise<bigint[]>; end: () => Promise<void> }> {
  const owner = new pg.Client({ connectionString: OWNER_DATABASE_URL });
  await owner.connect();
  await owner.query("BEGIN");
  await owner.query("LOCK TABLE run_events IN ACCESS EXCLUSIVE MODE");
  await testDb().$executeRaw`SELECT pg_notify('run_events', ${runId})`;
  await waitUntil("the feed's read waiting on the lock", async () => {
    const r = await owner.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'run_events'::regclass AND NOT granted");
    return r.rows[0]!.n > 0;
  }, 10_000, 50);
  return {
    async commit(n) {
      const { rows } = await owner.query<{ id: string }>("INSERT INTO run_events (run_id, type, level, message) SELECT $1, 'log', 'info', 'held ' || g FROM generate_series(1, $2::int) g RETURNING id::text", [runId, n]);
      await owner.query("COMMIT");
      return rows.map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : 1));
    },
    end: () => owner.end(),
  };
}

describe("the run feed", () => {
  it("hands each of many watchers its own events, reading the run once per notification", async () => {
    const first = await emit(10);
    const cursors = [0n, first[2]!, first[6]!, first[9]!];
    const probes = Array.from({ length: 60 }, (_, i) => probe(cursors[i % cursors.length]!));
    const leave = await Promise.all(probes.map((p) => watchRun(runId, p)));
    await expectExactly(probes, first);
    expect(runWatcherCount(runId)).toBe(60);

    const readsBefore = streamCounters.feedReads;
    const more: bigint[] = [];
    for (let i = 0; i < 5; i++) {
      more.push(...(await emit(1)));
      await new Promise((r) => setTimeout(r, 150));
    }
    await expectExactly(probes, [...first, ...more]);
    // One read per notification for all 60 (a stream of its own each would be 300).
    expect(streamCounters.feedReads - readsBefore).toBeLessThanOrEqual(6);

    for (const l of leave) l();
    expect(runWatcherCount(runId)).toBe(0);
  });

  it("a watcher that joins during a read, further back than it reads from, still gets everything after its cursor", async () => {
    const first = await emit(10);
    const live = probe(0n);
    const leaveLive = await watchRun(runId, live);
    await expectExactly([live], first);

    // Hold the feed's next read in flight until the commit below.
    const held = await holdNextRead();
    try {
      const behind = probe(first[3]!);
      const level = probe(first[9]!);
      const ahead = probe(first[9]! + 2n);
      const leave = await Promise.all([behind, level, ahead].map((p) => watchRun(runId, p)));
      // Rows committed without a notification: only the feed's own re-read can bring them.
      const all = [...first, ...(await held.commit(5))];
      await expectExactly([live, behind, level, ahead], all);
      for (const l of [leaveLive, ...leave]) l();
    } finally {
      await held.end();
    }
  });

  it("a watcher that joins during a read that started past its cursor is read for again, without a notification", async () => {
    const first = await emit(10);
    const live = probe(0n);
    const leaveLive = await watchRun(runId, live);
    await expectExactly([live], first);
    // A stream that claims to be far ahead; once the others leave, the feed reads from its cursor,
    // past everything the feed has covered so far.
    const ahead = probe(first[9]! + 1000n);
    const leaveAhead = await watchRun(runId, ahead);
    leaveLive();

    const held = await holdNextRead();
    try {
      // At what the feed covered, so joining asks for no read; but behind the read under way.
      const between = probe(first[9]!);
      const leave = await watchRun(runId, between);
      await expectExactly([between, ahead], [...first, ...(await held.commit(3))]);
      leave();
      leaveAhead();
    } finally {
      await held.end();
    }
  });

  it("catches up a reconnecting watcher page by page while another one watches live", async () => {
    // More than two pages of history, written at once.
    await testDb().$executeRaw`INSERT INTO run_events (run_id, type, level, message) SELECT ${runId}, 'log', 'info', 'history ' || g FROM generate_series(1, 1234) g`;
    const history = (await testDb().runEvent.findMany({ where: { runId }, select: { id: true }, orderBy: { id: "asc" } })).map((r) => r.id);
    const live = probe(history.at(-1)!);
    const leaveLive = await watchRun(runId, live);
    const readsBefore = streamCounters.feedReads;
    const back = probe(0n);
    const middle = probe(history[600]!);
    const leave = await Promise.all([back, middle].map((p) => watchRun(runId, p)));
    const more = await emit(3);
    await expectExactly([live, back, middle], [...history, ...more]);
    // Three pages for the history, shared by both who need it, and a read per new event at most.
    expect(streamCounters.feedReads - readsBefore).toBeLessThanOrEqual(3 + 3 + 1);
    for (const l of [leaveLive, ...leave]) l();
  });
});
