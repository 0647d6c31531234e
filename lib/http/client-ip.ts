import { getEnv } from "@/lib/env";

// Next's server fills x-forwarded-for with the socket address only when the header is absent, so
// without a trusted proxy the header may be forged; it is then used for records and rate-limit
// buckets, never for a decision that matters alone.
export function clientIpFromHeaders(headers: Headers): string | null {
  const xff = headers.get("x-forwarded-for");
  if (!xff) return headers.get("x-real-ip");
  const parts = xff.split(",").map((s) => s.trim()).filter(Boolean);
  const ip = getEnv().TRUST_PROXY ? parts[0] : parts[parts.length - 1];
  return ip ? ip.slice(0, 64) : null;
}
