import "server-only";
import { subscribeAllRuns } from "@/lib/events/listener";
import { SSE_HEADERS, sseLifecycle, type StillAllowed } from "@/lib/events/sse";

// Runs write many events a second while they log; a fleet view needs at most one look per second.
const SETTLE_MS = 1_000;

/**
 * An SSE response for a fleet view: whenever any run changes, it recomputes `snapshot` (a cheap,
 * authorized read that returns a fingerprint of what the view shows) and sends a `change` event
 * only when the fingerprint differs. The page then refetches its own data.
 */
export function snapshotStream(opts: { signal: AbortSignal; stillAllowed: StillAllowed; snapshot: () => Promise<string> }): Response {
  const encoder = new TextEncoder();
  let cleanup: (() => void) | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      let last: string | null = null;
      let timer: ReturnType<typeof setTimeout> | null = null;
      const send = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const look = async () => {
        timer = null;
        const now = await opts.snapshot().catch(() => last);
        if (now !== null && now !== last) {
          if (last !== null) send(`event: change\ndata: ${JSON.stringify({ at: new Date().toISOString() })}\n\n`);
          last = now;
        }
      };
      const wake = () => {
        timer ??= setTimeout(() => void look(), SETTLE_MS);
      };
      const unsubscribe = await subscribeAllRuns(wake);
      const onClose = () => {
        closed = true;
        if (timer) clearTimeout(timer);
      };
      cleanup = sseLifecycle({ controller, send, unsubscribe, onClose, stillAllowed: opts.stillAllowed, signal: opts.signal });
      await look();
    },
    cancel() {
      cleanup?.();
    },
  });
  return new Response(stream, { headers: SSE_HEADERS });
}
