import "server-only";
import { watchStillAllowed, type StillAllowed } from "@/lib/events/shared-recheck";
import { streamCounters } from "@/lib/metrics/stream-counters";

export { RECHECK_MS, RECHECK_GRACE_MS, type StillAllowed } from "@/lib/events/shared-recheck";

const HEARTBEAT_MS = 15_000;

export const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no" };

/**
 * The plumbing every SSE response shares: the reconnect hint, a heartbeat comment so proxies keep
 * the line open, the periodic re-check of `stillAllowed` (shared with every stream of the same
 * credential: lib/events/shared-recheck.ts), and one idempotent close (on the client's abort too)
 * that stops both, unsubscribes and ends the stream.
 */
export function sseLifecycle(opts: {
  controller: ReadableStreamDefaultController<Uint8Array>;
  send: (text: string) => void;
  unsubscribe: () => void;
  stillAllowed: StillAllowed;
  signal: AbortSignal;
  onClose?: () => void;
}): () => void {
  let closed = false;
  streamCounters.openStreams++;
  const beat = setInterval(() => opts.send(`: heartbeat ${new Date().toISOString()}\n\n`), HEARTBEAT_MS);
  const close = () => {
    if (closed) return;
    closed = true;
    streamCounters.openStreams--;
    clearInterval(beat);
    stopWatching();
    opts.onClose?.();
    opts.unsubscribe();
    try {
      opts.controller.close();
    } catch {
      // already closed by the client
    }
  };
  const stopWatching = watchStillAllowed(opts.stillAllowed, close);
  opts.signal.addEventListener("abort", close);
  if (opts.signal.aborted) close();
  opts.send("retry: 2000\n\n");
  return close;
}
