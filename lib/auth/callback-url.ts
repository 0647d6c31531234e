// Where the browser may go after signing in or out: only a path of the console itself. Browsers
// read `\` as `/` and drop tabs and newlines inside URLs, so `/\evil.example` and
// `/<TAB>/evil.example` are other hosts to them even though they start with a single slash.

// Control characters, and a backslash in any spelling a later decode could produce.
const UNSAFE = /[\u0000-\u001f\u007f\\]/;
const MAX_LENGTH = 2000;

/** Percent-decodings of the value, a few levels deep; null when one is malformed or unsafe. */
function decodings(raw: string): string[] | null {
  const out = [raw];
  let current = raw;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return null;
    }
    if (next === current) break;
    out.push(next);
    current = next;
  }
  return out.some((d) => UNSAFE.test(d)) ? null : out;
}

/**
 * The callbackUrl as a path of the console (`/x?y#z`), or null. A relative value must be one
 * absolute path ("/x", not "//x"); an absolute URL must have the console's own origin.
 */
export function safeCallbackPath(raw: unknown, baseUrl: string): string | null {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_LENGTH) return null;
  const decoded = decodings(raw);
  if (!decoded) return null;
  const base = new URL(baseUrl);
  let url: URL;
  try {
    url = raw.startsWith("/") ? new URL(raw, base) : new URL(raw);
  } catch {
    return null; // "evil.example", " //x": neither a path nor a URL
  }
  if (url.origin !== base.origin) return null; // other hosts and ports; javascript:, data: (origin "null")
  if (decoded.some((d) => d.startsWith("//")) || url.pathname.startsWith("//")) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}
