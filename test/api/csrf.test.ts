// Cross-site request forgery: a page on another origin (another port of the same host counts) must
// not be able to use the signed-in person's session cookie to change anything. Bearer tokens are
// not sent by browsers on their own, so they are unaffected.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestInstance, stopTestInstance, type TestInstance } from "@/test/support/instances";
import { BASE_URL, TOKENS } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { sessionCookie } from "@/test/support/session";
import { hashPassword } from "@/lib/auth/password";

const base = new URL(BASE_URL);
// Same host, another port: a different origin, but the browser still sends the cookie (same site).
const OTHER_ORIGIN = `${base.protocol}//${base.hostname}:${Number(base.port) === 65535 ? 65534 : Number(base.port) + 1}`;

let instanceId = "";
let real: TestInstance | undefined;

afterAll(async () => {
  if (real) await stopTestInstance(real).catch(() => undefined);
});

beforeAll(async () => {
  // A real instance: the maintenance switch drives the platform itself when a write goes through.
  real = await createTestInstance("1.1.0", { channel: "manual_approval" });
  instanceId = real.id;
});

async function auditCount(): Promise<number> {
  return testDb().auditLog.count();
}

async function post(pathname: string, headers: Record<string, string>, body: unknown = { enabled: true }, method = "POST") {
  const res = await fetch(`${BASE_URL}${pathname}`, { method, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json().catch(() => null)) as unknown };
}

describe("cookie-authenticated writes from another origin", () => {
  it("a cross-origin POST with a superadmin's cookie answers 403 and writes nothing", async () => {
    const cookie = await sessionCookie("superadmin");
    const before = await auditCount();
    const res = await post(`/api/superadmin/instances/${instanceId}/maintenance`, { cookie, origin: OTHER_ORIGIN });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ error: { code: "forbidden", message: expect.any(String) } });
    const inst = await testDb().instance.findUniqueOrThrow({ where: { id: instanceId } });
    expect(inst.maintenanceMode).toBe(false);
    expect(await auditCount()).toBe(before);
  });

  it("the emergency rollback of the report, with no body at all, is refused before it runs", async () => {
    const cookie = await sessionCookie("superadmin");
    const before = await auditCount();
    const res = await fetch(`${BASE_URL}/api/superadmin/instances/${instanceId}/rollback/emergency`, { method: "POST", headers: { cookie, origin: OTHER_ORIGIN } });
    expect(res.status).toBe(403);
    expect(await testDb().upgradeRun.count({ where: { instanceId } })).toBe(0);
    expect(await auditCount()).toBe(before);
  });

  it.each([
    ["another port", { origin: OTHER_ORIGIN }],
    ["another host", { origin: "http://evil.example" }],
    ["an opaque origin", { origin: "null" }],
    ["a malformed origin", { origin: "not a url" }],
    ["no Origin and no Sec-Fetch-Site", {}],
    ["no Origin, Sec-Fetch-Site: same-site", { "sec-fetch-site": "same-site" }],
    ["no Origin, Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
  ])("refuses %s", async (_label, headers: Record<string, string>) => {
    const cookie = await sessionCookie("superadmin");
    const before = await auditCount();
    const res = await post(`/api/superadmin/instances/${instanceId}/maintenance`, { cookie, ...headers });
    expect(res.status).toBe(403);
    expect(await auditCount()).toBe(before);
  });

  it.each([
    ["the console's own Origin", { origin: base.origin }],
    ["Sec-Fetch-Site: same-origin without Origin", { "sec-fetch-site": "same-origin" }],
  ])("accepts %s", async (_label, headers: Record<string, string>) => {
    const cookie = await sessionCookie("superadmin");
    const res = await post(`/api/superadmin/instances/${instanceId}/maintenance`, { cookie, ...headers }, { enabled: false });
    expect(res.status).toBe(200);
  });

  it("a bearer token works from any origin", async () => {
    const res = await post(`/api/superadmin/instances/${instanceId}/maintenance`, { authorization: `Bearer ${TOKENS.superadmin}`, origin: OTHER_ORIGIN }, { enabled: false });
    expect(res.status).toBe(200);
  });

  it("a cross-origin GET still reads (it changes nothing)", async () => {
    const res = await fetch(`${BASE_URL}/api/superadmin/instances/${instanceId}`, { headers: { cookie: await sessionCookie("viewer"), origin: OTHER_ORIGIN } });
    expect(res.status).toBe(200);
  });
});

/** Every state-changing handler under app/api, found from the files, so a new route is covered too. */
function mutatingRoutes(): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const root = path.resolve(import.meta.dirname, "../../app/api/superadmin");
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name === "route.ts") {
        const src = readFileSync(p, "utf8");
        const rel = path.relative(root, dir).split(path.sep).map((seg) => (seg.startsWith("[...") ? "no-such-thing" : seg.startsWith("[") ? "no-such-id" : seg));
        for (const m of src.matchAll(/export (?:const|async function) (POST|PUT|PATCH|DELETE)\b/g)) out.push({ method: m[1] ?? "", path: `/api/superadmin/${rel.join("/")}` });
      }
    }
  };
  walk(root);
  return out;
}

describe("every state-changing API route", () => {
  const routes = mutatingRoutes();

  it("finds the routes", () => {
    expect(routes.length).toBeGreaterThan(20);
  });

  it.each(routes.map((r) => [r.method, r.path] as const))("%s %s refuses a cross-origin cookie before its handler runs", async (method, pathname) => {
    const cookie = await sessionCookie("superadmin");
    const before = await auditCount();
    const res = await fetch(`${BASE_URL}${pathname}`, { method, headers: { cookie, origin: OTHER_ORIGIN, "content-type": "application/json" }, body: "{}" });
    // 403 rather than the handler's 404/422: the check ran first.
    expect(res.status).toBe(403);
    expect(await auditCount()).toBe(before);
  });
});

describe("next-auth's own POST endpoints", () => {
  it("refuses a cross-origin sign-out (it would end the person's sessions)", async () => {
    const cookie = await sessionCookie("viewer");
    const csrf = (await (await fetch(`${BASE_URL}/api/auth/csrf`, { headers: { cookie } })).json()) as { csrfToken: string };
    const res = await fetch(`${BASE_URL}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, origin: OTHER_ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken: csrf.csrfToken, json: "true" }).toString(),
    });
    expect(res.status).toBe(403);
    const still = await fetch(`${BASE_URL}/api/superadmin/instances`, { headers: { cookie } });
    expect(still.status).toBe(200);
  });
});

type ManifestEntry = { exportedName?: string; filename?: string; workers?: Record<string, { exportedName?: string; filename?: string }> };

/** The id Next gave a server action in this build. */
function actionId(exportedName: string, file: string): string {
  const manifest = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../.next/server/server-reference-manifest.json"), "utf8")) as { node: Record<string, ManifestEntry> };
  for (const [id, entry] of Object.entries(manifest.node)) {
    const named = [entry, ...Object.values(entry.workers ?? {})];
    if (named.some((e) => e.exportedName === exportedName && (e.filename ?? "").endsWith(file))) return id;
  }
  throw new Error(`No server action ${exportedName} in ${file} in the build manifest.`);
}

describe("server actions (Next checks Origin against Host itself)", () => {
  async function callAction(origin: string | null, userId: string) {
    return fetch(`${BASE_URL}/settings`, {
      method: "POST",
      redirect: "manual",
      headers: {
        cookie: await sessionCookie("superadmin"),
        ...(origin === null ? {} : { origin }),
        "next-action": actionId("setUserDisabledAction", "lib/users/actions.ts"),
        accept: "text/x-component",
        "content-type": "text/plain;charset=UTF-8",
      },
      body: JSON.stringify([{ userId, disabled: true }]),
    });
  }

  it("a cross-origin action POST does not run the action; a same-origin one does", async () => {
    const user = await testDb().user.create({ data: { email: `csrf-action-${Date.now()}@example.test`, name: "CSRF target", role: "viewer", passwordHash: await hashPassword("correct-horse-battery") } });
    const before = await auditCount();
    const cross = await callAction(OTHER_ORIGIN, user.id);
    expect(cross.status).toBeGreaterThanOrEqual(400);
    expect((await testDb().user.findUniqueOrThrow({ where: { id: user.id } })).disabledAt).toBeNull();
    expect(await auditCount()).toBe(before);
    // The same request from the console's own origin runs: the request above was a real action call.
    const same = await callAction(base.origin, user.id);
    expect(same.status).toBe(200);
    expect((await testDb().user.findUniqueOrThrow({ where: { id: user.id } })).disabledAt).not.toBeNull();
  });

  it("an action POST without Origin (which Next lets through) does not run the action either", async () => {
    const user = await testDb().user.create({ data: { email: `csrf-action-none-${Date.now()}@example.test`, name: "CSRF target", role: "viewer", passwordHash: await hashPassword("correct-horse-battery") } });
    const before = await auditCount();
    await callAction(null, user.id);
    expect((await testDb().user.findUniqueOrThrow({ where: { id: user.id } })).disabledAt).toBeNull();
    expect(await auditCount()).toBe(before);
  });
});
