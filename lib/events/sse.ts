import "server-only";
import { logError } from "@/lib/log";

const HEARTBEAT_MS = 15_000;
// How often an open stream asks whether its reader may still read it. A revoked token, a disabled
// user or a revoked status link ends the stream within this long.
export const RECHECK_MS = 3_000;
// How long a stream stays open while its re-check cannot be made at all (a database outage).
export const RECHECK_GRACE_MS = 60_000;

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
  let failingSince: number | null = null;
  const check = async () => {
    if (checking || closed) return;
    checking = true;
    const ok = await opts.stillAllowed().then(
      (allowed) => {
        failingSince = null;
        return allowed;
      },
      (e: unknown) => {
        // The check could not be made: the database is away. Nothing can be revoked while it is
        // (revoking is a write), so the stream rides out a short outage, as the console does, and
        // re-checks as soon as it can. One that cannot be checked for RECHECK_GRACE_MS closes.
        failingSince ??= Date.now();
        const tooLong = Date.now() - failingSince >= RECHECK_GRACE_MS;
        if (tooLong) logError("SSE re-check kept failing; closing the stream", e);
        return !tooLong;
      },
    );
    checking = false;
    if (!ok) close();
  };
  const recheck = setInterval(() => void check(), RECHECK_MS);
  opts.signal.addEventListener("abort", close);
  if (opts.signal.aborted) close();
  opts.send("retry: 2000\n\n");
  return close;
}
