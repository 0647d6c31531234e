import "server-only";
import { getDb, type Db } from "@/lib/db";
import { AppError } from "@/lib/errors";

// Each count also removes this many expired buckets at most, so the table stays as small as the
// set of keys seen within their windows, without a timer and without a long delete.
const EXPIRED_PER_CALL = 100;

type Sql = Pick<Db, "$queryRaw">;

/**
 * Adds `n` to the fixed-window bucket `key` in PostgreSQL, so that every web replica shares it,
 * and answers the bucket's count after the addition and the window it counted in.
 */
export async function addToBucket(db: Sql, key: string, n: number, windowSeconds: number): Promise<{ count: number; windowStart: number; windowEndsAt: Date }> {
  const windowMs = windowSeconds * 1000;
  const now = Date.now();
  const windowStart = new Date(Math.floor(now / windowMs) * windowMs);
  const expiresAt = new Date(windowStart.getTime() + windowMs);
  // The delete skips this key (the upsert resets its expired window) and rows another request is
  // deleting; a data-modifying WITH runs even though nothing reads it.
  const rows = await db.$queryRaw<{ count: number }[]>`
    WITH expired AS (
      DELETE FROM rate_limit_buckets WHERE key IN (
        SELECT key FROM rate_limit_buckets WHERE expires_at < ${new Date(now)} AND key <> ${key}
        LIMIT ${EXPIRED_PER_CALL} FOR UPDATE SKIP LOCKED)
    )
    INSERT INTO rate_limit_buckets (key, window_start, count, expires_at) VALUES (${key}, ${windowStart}, ${n}, ${expiresAt})
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limit_buckets.window_start = EXCLUDED.window_start THEN rate_limit_buckets.count + EXCLUDED.count ELSE EXCLUDED.count END,
      window_start = EXCLUDED.window_start,
      expires_at = EXCLUDED.expires_at
    RETURNING count`;
  return { count: Number(rows[0]?.count ?? 0), windowStart: windowStart.getTime(), windowEndsAt: expiresAt };
}

/** Counts one attempt (sign-in): exact, one statement per attempt. */
export async function consumeRateLimit(key: string, limit: number, windowSeconds: number): Promise<{ ok: boolean; retryAfter: number; count: number; windowEndsAt: Date }> {
  const { count, windowEndsAt } = await addToBucket(getDb(), key, 1, windowSeconds);
  const retryAfter = Math.ceil((windowEndsAt.getTime() - Date.now()) / 1000);
  return { ok: count <= limit, retryAfter, count, windowEndsAt };
}

export async function enforceRateLimit(key: string, limit: number, windowSeconds: number): Promise<void> {
  const { ok, retryAfter } = await consumeRateLimit(key, limit, windowSeconds);
  if (!ok) throw new AppError("rate_limited", `Too many requests. Try again in ${retryAfter} s.`, { retryAfter });
}
