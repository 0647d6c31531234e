import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";

// A fixed-window counter in PostgreSQL, so that every web replica shares it.
export async function consumeRateLimit(key: string, limit: number, windowSeconds: number): Promise<{ ok: boolean; retryAfter: number }> {
  const windowMs = windowSeconds * 1000;
  const now = Date.now();
  const windowStart = new Date(Math.floor(now / windowMs) * windowMs);
  const rows = await getDb().$queryRaw<{ count: number }[]>`
    INSERT INTO rate_limit_buckets (key, window_start, count) VALUES (${key}, ${windowStart}, 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limit_buckets.window_start = EXCLUDED.window_start THEN rate_limit_buckets.count + 1 ELSE 1 END,
      window_start = EXCLUDED.window_start
    RETURNING count`;
  const count = Number(rows[0]?.count ?? 0);
  const retryAfter = Math.ceil((windowStart.getTime() + windowMs - now) / 1000);
  return { ok: count <= limit, retryAfter };
}

export async function enforceRateLimit(key: string, limit: number, windowSeconds: number): Promise<void> {
  const { ok, retryAfter } = await consumeRateLimit(key, limit, windowSeconds);
  if (!ok) throw new AppError("rate_limited", `Too many requests. Try again in ${retryAfter} s.`, { retryAfter });
}
