import type { Role } from "@/lib/auth/permissions";

export const BASE_URL = process.env.TEST_BASE_URL ?? "";
export const PASSWORD = process.env.TEST_PASSWORD ?? "";
export const TOKENS = JSON.parse(process.env.TEST_TOKENS ?? "{}") as Record<Role, string>;
export const DATABASE_URL = process.env.DATABASE_URL ?? "";
export const ADMIN_DATABASE_URL = process.env.TEST_ADMIN_DATABASE_URL ?? "";
/** The suite's database as its owner (the superuser that ran the migrations); DATABASE_URL is the app role. */
export const OWNER_DATABASE_URL = process.env.TEST_OWNER_DATABASE_URL ?? "";

export const EMAILS: Record<Role, string> = {
  superadmin: "admin@webwaka.local",
  approver: "approver@webwaka.local",
  viewer: "viewer@webwaka.local",
};

export type Who = Role | "anonymous";

export function authHeaders(who: Who): Record<string, string> {
  return who === "anonymous" ? {} : { authorization: `Bearer ${TOKENS[who]}` };
}

export type ApiAnswer = { status: number; json: unknown; text: string; headers: Headers };

export function api(who: Who, method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<ApiAnswer> {
  return callApi(BASE_URL, { ...authHeaders(who), ...extraHeaders }, method, path, body);
}

/** One request to a console at `baseUrl` (the suite's, or one a test started itself). */
export async function callApi(baseUrl: string, headers: Record<string, string>, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json, text, headers: res.headers };
}
