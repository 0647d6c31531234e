import "server-only";
import { watchRun, type StreamEvent } from "@/lib/events/run-feed";
import { SSE_HEADERS, sseLifecycle, type StillAllowed } from "@/lib/events/sse";
import { parseBigintId } from "@/lib/http/read-input";

export type { StreamEvent } from "@/lib/events/run-feed";

/** What a stream sends of an event: all of it, less, or (null) nothing. One function per kind of stream. */
export type Redact = (e: StreamEvent) => StreamEvent | null;

const encoder = new TextEncoder();
// The rows a feed hands out are shared by all its watchers: each is encoded once per kind of
// stream, not once per stream.
const plainFrames = new WeakMap<StreamEvent, Uint8Array>();
const redactedFrames = new WeakMap<Redact, WeakMap<StreamEvent, Uint8Array | null>>();

function encodeFrame(e: StreamEvent | null): Uint8Array | null {
  return e ? encoder.encode(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`) : null;
}

function frameOf(e: StreamEvent, redact: Redact | undefined): Uint8Array | null {
  const cache = redact ? (redactedFrames.get(redact) ?? redactedFrames.set(redact, new WeakMap()).get(redact)!) : plainFrames;
  let frame = cache.get(e);
  if (frame === undefined) {
    frame = encodeFrame(redact ? redact(e) : e);
    cache.set(e, frame as Uint8Array);
  }
  return frame;
}

/**
 * An SSE response for a run: replays what the client missed (after `lastEventId`), then streams
 * new events as they are committed, with a heartbeat comment so proxies keep the line open.
 * Every stream of a run in this process shares one read per notification (lib/events/run-feed.ts).
 * `redact` lets the stakeholder stream send less than the console's; `stillAllowed` ends the
 * stream once its reader's credential no longer holds.
 */
export function runEventStream(opts: { runId: string; lastEventId: bigint; signal: AbortSignal; stillAllowed: StillAllowed; redact?: Redact }): Response {
  let cleanup: (() => void) | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      const enqueue = (bytes: Uint8Array) => {
        if (!closed) controller.enqueue(bytes);
      };
      const unsubscribe = await watchRun(opts.runId, {
        cursor: opts.lastEventId,
        deliver: (e) => {
          const frame = frameOf(e, opts.redact);
          if (frame) enqueue(frame);
        },
      });
      const onClose = () => {
        closed = true;
      };
      cleanup = sseLifecycle({ controller, send: (text) => enqueue(encoder.encode(text)), unsubscribe, onClose, stillAllowed: opts.stillAllowed, signal: opts.signal });
    },
    cancel() {
      cleanup?.();
    },
  });
  return new Response(stream, { headers: SSE_HEADERS });
}

/** The client's Last-Event-ID; one that is not an id a stream could have sent counts as absent. */
export function parseLastEventId(req: Request): bigint {
  const raw = req.headers.get("last-event-id") ?? new URL(req.url).searchParams.get("lastEventId");
  return parseBigintId(raw?.trim()) ?? 0n;
}
