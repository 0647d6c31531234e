import "server-only";
import { logError } from "@/lib/log";
import { streamCounters } from "@/lib/metrics/stream-counters";

// How often an open stream's credential is asked whether it still holds. A revoked token, a
// disabled user or a revoked status link ends its streams within this long (plus one read).
export const RECHECK_MS = 3_000;
// How long streams stay open while their re-check cannot be made at all (a database outage).
export const RECHECK_GRACE_MS = 60_000;

/**
 * Whether a stream's reader may still read it: the credential it opened with still holds (for a
 * console stream, the actor's token or session, account and role; for a status page, the link).
 * `key` names the credential and what it is asked for: every stream with the same key shares
 * one `check` every RECHECK_MS, so the cost is per credential, not per stream. Streams with the
 * same key must therefore have checks that answer alike.
 */
export type StillAllowed = { key: string; check: () => Promise<boolean> };

type Entry = { check: () => Promise<boolean>; closers: Set<() => void>; timer: ReturnType<typeof setInterval>; checking: boolean; failingSince: number | null };

const g = globalThis as unknown as { sseRechecks?: Map<string, Entry> };
const entries = (g.sseRechecks ??= new Map());

async function recheck(key: string, e: Entry): Promise<void> {
  if (e.checking) return;
  e.checking = true;
  streamCounters.rechecks++;
  const ok = await e.check().then(
    (allowed) => {
      e.failingSince = null;
      return allowed;
    },
    (err: unknown) => {
      // The check could not be made: the database is away. Nothing can be revoked while it is
      // (revoking is a write), so the streams ride out a short outage, as the console does, and
      // re-check as soon as they can. A credential that cannot be checked for RECHECK_GRACE_MS closes.
      e.failingSince ??= Date.now();
      const tooLong = Date.now() - e.failingSince >= RECHECK_GRACE_MS;
      if (tooLong) logError("SSE re-check kept failing; closing its streams", err, { streams: e.closers.size });
      return !tooLong;
    },
  );
  e.checking = false;
  if (ok) return;
  for (const close of [...e.closers]) close();
  if (entries.get(key) === e) forget(key, e);
}

function forget(key: string, e: Entry): void {
  clearInterval(e.timer);
  if (entries.get(key) === e) entries.delete(key);
}

/**
 * Calls `close` once `allowed` no longer holds, checking it every RECHECK_MS together with every
 * other stream of the same credential. Returns the function that stops watching.
 */
export function watchStillAllowed(allowed: StillAllowed, close: () => void): () => void {
  let e = entries.get(allowed.key);
  if (!e) {
    const entry: Entry = { check: allowed.check, closers: new Set(), checking: false, failingSince: null, timer: setInterval(() => void recheck(allowed.key, entry), RECHECK_MS) };
    entries.set(allowed.key, (e = entry));
  }
  const entry = e;
  entry.closers.add(close);
  return () => {
    entry.closers.delete(close);
    if (entry.closers.size === 0) forget(allowed.key, entry);
  };
}

/** How many credentials are being re-checked for open streams in this process; for tests. */
export function recheckedCredentialCount(): number {
  return entries.size;
}
