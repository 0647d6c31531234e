/** Polls `probe` until it returns something truthy, or fails naming `what` after `timeoutMs`. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, intervalMs = 300): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Rate limits count in fixed windows (lib/rate-limit.ts): a burst that crossed a window's end
 * would rightly start counting again. Waits, when needed, so a burst of up to `marginMs` fits in
 * one window.
 */
export async function awayFromWindowEdge(windowSeconds: number, marginMs = 120_000): Promise<void> {
  const windowMs = windowSeconds * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 1000));
}
