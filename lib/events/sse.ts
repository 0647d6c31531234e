import "server-only";

const HEARTBEAT_MS = 15_000;

export const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no" };

/**
 * The plumbing every SSE response shares: a heartbeat comment so proxies keep the line open, and
 * one idempotent close that stops the heartbeat, unsubscribes and ends the stream.
 */
export function sseLifecycle(controller: ReadableStreamDefaultController<Uint8Array>, send: (text: string) => void, unsubscribe: () => void, onClose?: () => void): () => void {
  let closed = false;
  const beat = setInterval(() => send(`: heartbeat ${new Date().toISOString()}\n\n`), HEARTBEAT_MS);
  return () => {
    if (closed) return;
    closed = true;
    clearInterval(beat);
    onClose?.();
    unsubscribe();
    try {
      controller.close();
    } catch {
      // already closed by the client
    }
  };
}
