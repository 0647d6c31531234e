import "server-only";
import { logError } from "@/lib/log";

const HEARTBEAT_MS = 15_000;
// How often an open stream asks whether its reader may still read it. A revoked token, a disabled
// user or a revoked status link ends the stream within this long.
export const RECHECK_MS = 3_000;

export const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no" };

/**
 * Whether the stream's reader may still read it: the credential it opened with still holds (for
 * a console stream, the actor's token, account and role; for a status page, the link). The route
 * checked it when the stream opened; the stream asks again every RECHECK_MS.
 */
export type StillAllowed = () => Promise<boolean>;

/**
 * The plumbing every SSE response shares: the reconnect hint, a heartbeat comment so proxies keep
 * the line open, the periodic re-check of `stillAllowed`, and one idempotent close (on the
 * client's abort too) that stops both, unsubscribes and ends the stream.
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
  let checking = false;
  const beat = setInterval(() => opts.send(`: heartbeat ${new Date().toISOString()}\n\n`), HEARTBEAT_MS);
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(beat);
    clearInterval(recheck);
    opts.onClose?.();
    opts.unsubscribe();
    try {
      opts.controller.close();
    } catch {
      // already closed by the client
    }
  };
  const check = async () => {
    if (checking || closed) return;
    checking = true;
    // Fail closed: if the check cannot be made, the client reconnects and is checked afresh.
    const ok = await opts.stillAllowed().catch((e: unknown) => {
      logError("SSE re-check failed; closing the stream", e);
      return false;
    });
    checking = false;
    if (!ok) close();
  };
  const recheck = setInterval(() => void check(), RECHECK_MS);
  opts.signal.addEventListener("abort", close);
  if (opts.signal.aborted) close();
  opts.send("retry: 2000\n\n");
  return close;
}
