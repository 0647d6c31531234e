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

export async function api(who: Who, method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<{ status: number; json: unknown; text: string; headers: Headers }> {
  const res = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: { ...authHeaders(who), ...(body === undefined ? {} : { "content-type": "application/json" }), ...extraHeaders },
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
