import "server-only";
import { subscribeAllRuns } from "@/lib/events/listener";
import { SSE_HEADERS, sseLifecycle, type StillAllowed } from "@/lib/events/sse";

// Runs write many events a second while they log; a fleet view needs at most one look per second.
const SETTLE_MS = 1_000;

type Viewer = { last: string | null; send: (text: string) => void };
type View = { key: string; snapshot: () => Promise<string>; viewers: Set<Viewer>; last: string | null; timer: ReturnType<typeof setTimeout> | null; looking: boolean; unsubscribe: Promise<() => void> };

// Every stream of the same view in this process shares one look per settle, however many there are.
const g = globalThis as unknown as { snapshotViews?: Map<string, View> };
const views = (g.snapshotViews ??= new Map());

async function look(view: View): Promise<void> {
  view.timer = null;
  if (view.looking) {
    wake(view);
    return;
  }
  view.looking = true;
  const now = await view.snapshot().catch(() => null);
  view.looking = false;
  if (now === null) return;
  view.last = now;
  for (const v of view.viewers) {
    if (v.last !== null && v.last !== now) v.send(`event: change\ndata: ${JSON.stringify({ at: new Date().toISOString() })}\n\n`);
    v.last = now;
  }
}

function wake(view: View): void {
  view.timer ??= setTimeout(() => void look(view), SETTLE_MS);
}

function openView(key: string, snapshot: () => Promise<string>): View {
  const view: View = { key, snapshot, viewers: new Set(), last: null, timer: null, looking: false, unsubscribe: Promise.resolve(() => undefined) };
  view.unsubscribe = subscribeAllRuns(() => wake(view));
  view.unsubscribe.catch(() => {
    if (views.get(key) === view) views.delete(key);
  });
  views.set(key, view);
  return view;
}

function leave(view: View, viewer: Viewer): void {
  if (!view.viewers.delete(viewer) || view.viewers.size > 0) return;
  if (view.timer) clearTimeout(view.timer);
  if (views.get(view.key) === view) views.delete(view.key);
  view.unsubscribe.then((u) => u()).catch(() => undefined);
}

/**
 * An SSE response for a fleet view: whenever any run changes, it recomputes `snapshot` (a cheap,
 * authorized read that returns a fingerprint of what the view shows) and sends a `change` event
 * only when the fingerprint differs. The page then refetches its own data. Streams with the same
 * `key` share the view, and with it one `snapshot` per look: the key must name everything the
 * fingerprint depends on.
 */
export function snapshotStream(opts: { key: string; signal: AbortSignal; stillAllowed: StillAllowed; snapshot: () => Promise<string> }): Response {
  const encoder = new TextEncoder();
  let cleanup: (() => void) | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      const send = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const view = views.get(opts.key) ?? openView(opts.key, opts.snapshot);
      // The view's last look is as old as what the page showed, or older: a change since then
      // is seen by the next look, or at worst makes one needless refetch.
      const viewer: Viewer = { last: view.last, send };
      view.viewers.add(viewer);
      try {
        await view.unsubscribe;
      } catch (e) {
        view.viewers.delete(viewer);
        throw e;
      }
      if (view.last === null) await look(view);
      const onClose = () => {
        closed = true;
      };
      cleanup = sseLifecycle({ controller, send, unsubscribe: () => leave(view, viewer), onClose, stillAllowed: opts.stillAllowed, signal: opts.signal });
    },
    cancel() {
      cleanup?.();
    },
  });
  return new Response(stream, { headers: SSE_HEADERS });
}
