import { getEnv } from "@/lib/env";

export const CROSS_SITE_MESSAGE = "Refused: a change made with the session cookie must come from the console's own pages (the Origin header must be the console's). Scripts should use an API token.";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

function originOf(value: string | undefined): string | null {
  if (!value) return null;
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

/**
 * Whether a request comes from the console's own pages. Browsers send the session cookie on
 * requests from any page of the same site (another port of the same host included), so a write
 * made with the cookie must show where it came from: an `Origin` equal to the console's (the
 * public URL in NEXTAUTH_URL or CONSOLE_URL, or the Host the request was sent to), or, from a
 * browser that sends no Origin, `Sec-Fetch-Site: same-origin`. Anything else, a missing header
 * included, is refused.
 */
export function isSameOriginRequest(headers: Headers): boolean {
  const origin = headers.get("origin");
  if (origin === null) return headers.get("sec-fetch-site") === "same-origin";
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, privacy redirects) and garbage
  }
  const env = getEnv();
  const own = [originOf(env.NEXTAUTH_URL), originOf(env.CONSOLE_URL)];
  if (own.includes(parsed.origin)) return true;
  const host = headers.get("host");
  return host !== null && (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.host === host.toLowerCase();
}
