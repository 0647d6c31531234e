import "server-only";
import { getDb, type Db } from "@/lib/db";
import { addToBucket } from "@/lib/rate-limit";

/**
 * The API's rate limit without a write per request. The shared bucket (rate_limit_buckets, one
 * row per key and window) counts tokens *leased*: a process takes a block of them in one
 * statement and spends them in memory, and leases again when the block is spent. A lease adds
 * its whole block to the count and is granted only the part below the limit, so the blocks of
 * every replica together never exceed it. A process whose lease came back short has seen the
 * bucket full and refuses the rest of the window without asking again.
 *
 * The price: tokens a replica leased but did not spend before the window ended are lost to the
 * others, so a key spread over R replicas may be refused up to R × (block − 1) requests before
 * the limit; one process alone gets exactly `limit`.
 */
export type RateLimiter = { take: (key: string, limit: number, windowSeconds: number) => Promise<{ ok: boolean; retryAfter: number }> };

/** A twentieth of the limit: a statement per 30 requests at the default 600 a minute. */
export function leaseBlock(limit: number): number {
  return Math.max(1, Math.ceil(limit / 20));
}

type Local = { windowStart: number; windowEnd: number; left: number; full: boolean; leasing: Promise<void> | null };

export function createLeasedRateLimiter(db: () => Pick<Db, "$queryRaw">): RateLimiter {
  const locals = new Map<string, Local>();
  let prunedAt = 0;

  const prune = (now: number) => {
    if (now - prunedAt < 60_000) return;
    prunedAt = now;
    for (const [k, s] of locals) if (s.windowEnd <= now && !s.leasing) locals.delete(k);
  };

  const lease = async (key: string, s: Local, limit: number, windowSeconds: number) => {
    const block = leaseBlock(limit);
    const { count, windowStart } = await addToBucket(db(), key, block, windowSeconds);
    // The lease counted in another window than the one asked for (the window turned meanwhile): its tokens are not this window's.
    if (windowStart !== s.windowStart) return;
    const granted = Math.max(0, Math.min(block, limit - (count - block)));
    s.left += granted;
    if (granted < block) s.full = true;
  };

  return {
    async take(key, limit, windowSeconds) {
      const windowMs = windowSeconds * 1000;
      const localKey = `${windowSeconds}:${key}`;
      for (;;) {
        const now = Date.now();
        prune(now);
        const windowStart = Math.floor(now / windowMs) * windowMs;
        let s = locals.get(localKey);
        if (!s || s.windowStart !== windowStart) locals.set(localKey, (s = { windowStart, windowEnd: windowStart + windowMs, left: 0, full: false, leasing: null }));
        const retryAfter = Math.ceil((s.windowEnd - now) / 1000);
        if (s.left > 0) {
          s.left--;
          return { ok: true, retryAfter };
        }
        if (s.full) return { ok: false, retryAfter };
        // One lease at a time per key: requests that arrive meanwhile wait for it and share it.
        const current = s;
        current.leasing ??= lease(key, current, limit, windowSeconds).finally(() => {
          current.leasing = null;
        });
        await current.leasing;
      }
    },
  };
}

const g = globalThis as unknown as { apiRateLimiter?: RateLimiter };

/** This process's limiter for API requests. */
export function apiRateLimiter(): RateLimiter {
  g.apiRateLimiter ??= createLeasedRateLimiter(getDb);
  return g.apiRateLimiter;
}
