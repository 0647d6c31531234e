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
 * Starts the auto-update loop of a worker: sync the feed when due, then apply the channel
 * policies to the fleet. Returns its stop function; with AUTO_UPDATE_INTERVAL_SECONDS=0 it does
 * nothing.
 */
export function startAutoUpdate(): () => void {
  const seconds = getEnv().AUTO_UPDATE_INTERVAL_SECONDS;
  if (seconds === 0) return () => undefined;
  let busy = false;
  const tick = () => {
    if (busy) return;
    busy = true;
    syncFeedIfDue()
      .then(() => scanFleet())
      .catch((e: unknown) => logError("auto-update scan failed", e))
      .finally(() => {
        busy = false;
      });
  };
  const timer = setInterval(tick, seconds * 1000);
  tick();
  logInfo("auto-update on", { everySeconds: seconds, feed: getEnv().RELEASE_FEED ? describeFeedSource(getEnv().RELEASE_FEED as string) : null });
  return () => clearInterval(timer);
}
