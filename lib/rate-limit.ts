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

/**
 * Sign-in's limit: at most `limit` attempts in any `windowSeconds`, however they fall, as a generic
 * cell rate (GCRA) shared by every replica in one statement. The key's row in rate_limit_buckets
 * keeps the cell's theoretical arrival time in `expires_at`: an attempt moves it one interval
 * (window ÷ limit) on, and is allowed while that stays within a window of now. So `limit` attempts
 * at once are allowed, then one per interval; a fixed window would allow twice the limit across
 * its boundary. A refused attempt moves nothing. A row whose time has passed means "nothing
 * counted", and is removed like an expired bucket; this call itself removes only rows an hour
 * past, so that a caller's clock a little ahead never takes another key's live row.
 */
export async function takeRateCell(key: string, limit: number, windowSeconds: number): Promise<{ ok: boolean; retryAfter: number }> {
  const db = getDb();
  const now = new Date();
  const windowMs = windowSeconds * 1000;
  // Whole milliseconds, rounded down (the column keeps milliseconds): `limit` intervals always fit.
  const intervalMs = Math.max(1, Math.floor(windowMs / limit));
  const step = `${intervalMs} milliseconds`;
  const horizon = new Date(now.getTime() + windowMs);
  const rows = await db.$queryRaw<{ tat: Date }[]>`
    WITH expired AS (
      DELETE FROM rate_limit_buckets WHERE key IN (
        SELECT key FROM rate_limit_buckets WHERE expires_at < ${now}::timestamptz - interval '1 hour' AND key <> ${key}
        LIMIT ${EXPIRED_PER_CALL} FOR UPDATE SKIP LOCKED)
    )
    INSERT INTO rate_limit_buckets AS b (key, window_start, count, expires_at) VALUES (${key}, ${now}, 1, ${now}::timestamptz + ${step}::interval)
    ON CONFLICT (key) DO UPDATE SET
      expires_at = GREATEST(b.expires_at, ${now}::timestamptz) + ${step}::interval,
      count = CASE WHEN b.expires_at < ${now}::timestamptz THEN 1 ELSE b.count + 1 END,
      window_start = ${now}
    WHERE GREATEST(b.expires_at, ${now}::timestamptz) + ${step}::interval <= ${horizon}::timestamptz
    RETURNING expires_at AS tat`;
  if (rows.length > 0) return { ok: true, retryAfter: 0 };
  // Refused: the next attempt is allowed once the cell's time is within a window of now again.
  const row = await db.rateLimitBucket.findUnique({ where: { key } });
  const nextAt = row ? row.expiresAt.getTime() + intervalMs - windowMs : now.getTime();
  return { ok: false, retryAfter: Math.max(1, Math.ceil((nextAt - now.getTime()) / 1000)) };
}
