// Counters of the live views in this process, read by /metrics (lib/metrics/registry.ts). Kept on
// globalThis: Next bundles each route apart, and every route's streams must count in one place.
export type StreamCounters = {
  /** SSE responses open now. */
  openStreams: number;
  /** Reads of run_events made for streams (one per run per notification, however many watch). */
  feedReads: number;
  /** Re-checks of stream credentials made (one per credential every few seconds, however many streams it has). */
  rechecks: number;
};

const g = globalThis as unknown as { consoleStreamCounters?: StreamCounters };

export const streamCounters: StreamCounters = (g.consoleStreamCounters ??= { openStreams: 0, feedReads: 0, rechecks: 0 });
