import "server-only";
import { getDb } from "@/lib/db";
import { subscribeRun } from "@/lib/events/listener";
import { SSE_HEADERS, sseLifecycle, type StillAllowed } from "@/lib/events/sse";
import { parseBigintId } from "@/lib/http/read-input";

export type StreamEvent = { id: string; type: string; stepKey: string | null; level: string | null; message: string | null; data: unknown; at: string };

export async function eventsSince(runId: string, afterId: bigint, limit = 500): Promise<StreamEvent[]> {
  const rows = await getDb().runEvent.findMany({ where: { runId, id: { gt: afterId } }, orderBy: { id: "asc" }, take: limit, include: { step: { select: { key: true } } } });
  return rows.map((r) => ({ id: r.id.toString(), type: r.type, stepKey: r.step?.key ?? null, level: r.level, message: r.message, data: r.data, at: r.createdAt.toISOString() }));
}

/**
 * An SSE response for a run: replays what the client missed (after `lastEventId`), then streams
 * new events as they are committed, with a heartbeat comment so proxies keep the line open.
 * `redact` lets the stakeholder stream send less than the console's; `stillAllowed` ends the
 * stream once its reader's credential no longer holds.
 */
export function runEventStream(opts: { runId: string; lastEventId: bigint; signal: AbortSignal; stillAllowed: StillAllowed; redact?: (e: StreamEvent) => StreamEvent | null }): Response {
  const encoder = new TextEncoder();
  let cursor = opts.lastEventId;
  let cleanup: (() => void) | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      let pumping: Promise<void> | null = null;
      let again = false;
      const send = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const pump = async () => {
        for (;;) {
          const batch = await eventsSince(opts.runId, cursor);
          for (const raw of batch) {
            cursor = BigInt(raw.id);
            const e = opts.redact ? opts.redact(raw) : raw;
            if (e) send(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
          }
          if (batch.length < 500) return;
        }
      };
      // Notifications can arrive while a read is under way: read again after it, never in parallel.
      const wake = () => {
        if (pumping) {
          again = true;
          return;
        }
        pumping = pump()
          .catch(() => undefined)
          .finally(() => {
            pumping = null;
            if (again) {
              again = false;
              wake();
            }
          });
      };
      const unsubscribe = await subscribeRun(opts.runId, wake);
      const onClose = () => {
        closed = true;
      };
      cleanup = sseLifecycle({ controller, send, unsubscribe, onClose, stillAllowed: opts.stillAllowed, signal: opts.signal });
      wake();
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
