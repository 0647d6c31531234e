/** A failed send. `permanent` ends retrying at once (the receiver refused the message itself). */
export class SendError extends Error {
  readonly permanent: boolean;

  constructor(message: string, permanent = false) {
    super(message);
    this.name = "SendError";
    this.permanent = permanent;
  }
}

/** Pieces of a URL that may carry a secret: the whole URL, its path and query, long path segments, credentials. */
export function secretPartsOfUrl(raw: string): string[] {
  try {
    const u = new URL(raw);
    const parts = [raw, u.href, u.pathname + u.search, u.search.slice(1), ...u.pathname.split("/").filter((p) => p.length >= 6)];
    if (u.username) parts.push(decodeURIComponent(u.username), u.username);
    if (u.password) parts.push(decodeURIComponent(u.password), u.password);
    return parts.filter((p) => p.length >= 4 && p !== "/");
  } catch {
    return [raw];
  }
}

/** Replaces every secret (longest first) so that errors and logs never carry one. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length)) out = out.split(s).join("[redacted]");
  return out.slice(0, 500);
}

/** A transport error as a short line: timeouts, refused connections, DNS, without the URL. */
export function describeNetworkError(e: unknown, timeoutSeconds: number): string {
  if (e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError")) return `no answer within ${timeoutSeconds} s`;
  const cause = e instanceof Error ? (e.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return `could not connect (${cause.code})`;
  if (cause?.message) return `could not connect (${cause.message})`;
  return e instanceof Error ? e.message : String(e);
}
