import "server-only";
import { getEnv } from "@/lib/env";
import { describeFeedSource, syncReleaseFeed } from "@/lib/releases/sync-feed";
import { scanFleet } from "@/lib/auto-update/scan-fleet";
import { logError, logInfo } from "@/lib/log";

let lastFeedSync = 0;

/** Syncs the configured release feed when it is due; a failure is logged and tried again next time. */
export async function syncFeedIfDue(nowMs: number = Date.now()): Promise<void> {
  const { RELEASE_FEED, FEED_SYNC_SECONDS } = getEnv();
  if (!RELEASE_FEED || nowMs - lastFeedSync < FEED_SYNC_SECONDS * 1000) return;
  lastFeedSync = nowMs;
  try {
    const r = await syncReleaseFeed(RELEASE_FEED);
    if (r.added.length || r.changed.length) logInfo("release feed synced", { feed: describeFeedSource(RELEASE_FEED), added: r.added, changed: r.changed });
  } catch (e) {
    logError("release feed sync failed", e, { feed: describeFeedSource(RELEASE_FEED) });
  }
}

/**
 * The auto-update round of a worker, for its scheduler (worker/every.ts): sync the feed when due,
 * then apply the channel policies to the fleet. With AUTO_UPDATE_INTERVAL_SECONDS=0 the scan is
 * off, but a configured feed is still kept in sync; with neither, there is no round (null).
 */
export function autoUpdateSchedule(): { everyMs: number; round: () => Promise<void> } | null {
  const { AUTO_UPDATE_INTERVAL_SECONDS: scanEvery, FEED_SYNC_SECONDS, RELEASE_FEED } = getEnv();
  if (scanEvery === 0 && !RELEASE_FEED) return null;
  logInfo(scanEvery > 0 ? "auto-update on" : "auto-update off; keeping the release feed in sync", { everySeconds: scanEvery, feed: RELEASE_FEED ? describeFeedSource(RELEASE_FEED) : null });
  return {
    everyMs: (scanEvery > 0 ? scanEvery : FEED_SYNC_SECONDS) * 1000,
    round: async () => {
      await syncFeedIfDue();
      if (scanEvery > 0) await scanFleet();
    },
  };
}
