import "server-only";
import { getDb } from "@/lib/db";
import { subscribeRun } from "@/lib/events/listener";
import { streamCounters } from "@/lib/metrics/stream-counters";

export type StreamEvent = { id: string; type: string; stepKey: string | null; level: string | null; message: string | null; data: unknown; at: string };

// Rows per read; a watcher far behind is caught up page by page.
export const FEED_PAGE = 500;
const READ_RETRY_MS = 2_000;

export async function eventsSince(runId: string, afterId: bigint, limit = FEED_PAGE): Promise<StreamEvent[]> {
  const rows = await getDb().runEvent.findMany({ where: { runId, id: { gt: afterId } }, orderBy: { id: "asc" }, take: limit, include: { step: { select: { key: true } } } });
  return rows.map((r) => ({ id: r.id.toString(), type: r.type, stepKey: r.step?.key ?? null, level: r.level, message: r.message, data: r.data, at: r.createdAt.toISOString() }));
}

/** One open stream of a run: it has been given every event up to `cursor`, in order. */
export type FeedWatcher = { cursor: bigint; deliver: (e: StreamEvent) => void };

type Feed = {
  runId: string;
  watchers: Set<FeedWatcher>;
  // The last complete read started from `from` and found nothing after this id: a watcher whose
  // cursor is at least this needs no read of its own to join. Null until a first read completes.
  covered: bigint | null;
  reading: boolean;
  again: boolean;
  closed: boolean;
  subscribed: Promise<() => void>;
};

// Every web process reads each run once per notification, however many streams watch it, and
// hands the rows to each watcher past its own cursor (docs/architecture.md, "Live views").
const g = globalThis as unknown as { runFeeds?: Map<string, Feed> };
const feeds = (g.runFeeds ??= new Map());

function lowestCursor(feed: Feed): bigint | null {
  let low: bigint | null = null;
  for (const w of feed.watchers) if (low === null || w.cursor < low) low = w.cursor;
  return low;
}

async function pump(feed: Feed): Promise<void> {
  for (;;) {
    const from = lowestCursor(feed);
    if (from === null || feed.closed) return;
    streamCounters.feedReads++;
    const batch = await eventsSince(feed.runId, from);
    for (const w of feed.watchers) {
      // It joined during the read with an older cursor: this batch would leave a gap before it.
      if (w.cursor < from) {
        feed.again = true;
        continue;
      }
      for (const e of batch) {
        const id = BigInt(e.id);
        if (id <= w.cursor) continue;
        w.cursor = id;
        w.deliver(e);
      }
    }
    if (batch.length < FEED_PAGE) {
      const last = batch.length ? BigInt(batch[batch.length - 1]!.id) : from;
      feed.covered = last > from ? last : from;
      return;
    }
  }
}

// Notifications can arrive while a read is under way: read again after it, never in parallel.
function wake(feed: Feed): void {
  if (feed.closed) return;
  if (feed.reading) {
    feed.again = true;
    return;
  }
  feed.reading = true;
  feed.again = false;
  pump(feed)
    .catch(() => {
      // The database is away: try again shortly rather than only at the next notification.
      // (After an outage the listener also wakes every feed once it has reconnected.)
      if (!feed.closed) setTimeout(() => wake(feed), READ_RETRY_MS).unref();
    })
    .finally(() => {
      feed.reading = false;
      if (feed.again) wake(feed);
    });
}

function openFeed(runId: string): Feed {
  const feed: Feed = { runId, watchers: new Set(), covered: null, reading: false, again: false, closed: false, subscribed: Promise.resolve(() => undefined) };
  // A read that could miss a row must start after the LISTEN: every row it does not see is then notified.
  feed.subscribed = subscribeRun(runId, () => wake(feed));
  feed.subscribed.catch(() => {
    if (feeds.get(runId) === feed) feeds.delete(runId);
    feed.closed = true;
  });
  feeds.set(runId, feed);
  return feed;
}

function leave(feed: Feed, w: FeedWatcher): void {
  if (!feed.watchers.delete(w) || feed.watchers.size > 0) return;
  feed.closed = true;
  if (feeds.get(feed.runId) === feed) feeds.delete(feed.runId);
  feed.subscribed.then((unsubscribe) => unsubscribe()).catch(() => undefined);
}

/**
 * Adds a watcher to its run's feed: it is given every event after its cursor, in id order,
 * without a gap or a repeat, first what it missed and then each new one as it is committed.
 * Returns the function that removes it.
 */
export async function watchRun(runId: string, watcher: FeedWatcher): Promise<() => void> {
  const feed = feeds.get(runId) ?? openFeed(runId);
  feed.watchers.add(watcher);
  try {
    await feed.subscribed;
  } catch (e) {
    feed.watchers.delete(watcher);
    throw e;
  }
  if (feed.covered === null || watcher.cursor < feed.covered) wake(feed);
  return () => leave(feed, watcher);
}

/** How many streams of this process watch `runId` (0 once the last one left); for tests. */
export function runWatcherCount(runId: string): number {
  return feeds.get(runId)?.watchers.size ?? 0;
}
