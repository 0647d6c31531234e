import { BASE_URL, EMAILS, PASSWORD } from "./env";
import type { Role } from "@/lib/auth/permissions";

function cookiePairs(headers: Headers): string[] {
  return headers.getSetCookie().map((c) => c.split(";")[0] ?? "").filter(Boolean);
}

/**
 * Signs in through next-auth's credentials flow over HTTP, as the login page does (from the
 * console's own origin); returns the outcome and cookies.
 */
export function signInOverHttp(email: string, password: string, extraHeaders: Record<string, string> = {}): Promise<{ ok: boolean; error: string | null; cookie: string }> {
  return signInAt(BASE_URL, email, password, extraHeaders);
}

/** The same sign-in against the console at `baseUrl` (the benchmarks start their own). */
export async function signInAt(baseUrl: string, email: string, password: string, extraHeaders: Record<string, string> = {}): Promise<{ ok: boolean; error: string | null; cookie: string }> {
  const csrfRes = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = cookiePairs(csrfRes.headers);
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; "), origin: new URL(baseUrl).origin, ...extraHeaders },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }).toString(),
  });
  const cookies = [...jar, ...cookiePairs(res.headers)];
  const location = res.headers.get("location") ?? "";
  let url = location;
  if (!url && res.headers.get("content-type")?.includes("json")) url = ((await res.json()) as { url?: string }).url ?? "";
  const error = new URL(url || baseUrl, baseUrl).searchParams.get("error");
  const session = cookies.find((c) => c.startsWith("next-auth.session-token="));
  return { ok: !error && !!session, error, cookie: cookies.join("; ") };
}

const cache = new Map<Role, string>();

export async function sessionCookie(role: Role): Promise<string> {
  const hit = cache.get(role);
  if (hit) return hit;
  const r = await signInOverHttp(EMAILS[role], PASSWORD);
  if (!r.ok) throw new Error(`Could not sign in as ${role}: ${r.error}`);
  cache.set(role, r.cookie);
  return r.cookie;
}
