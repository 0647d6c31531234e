// Hostile but well-formed input never answers 500 and never costs the server its memory: NUL
// characters (PostgreSQL text cannot hold them), cursors and ids past bigint, dates outside
// PostgreSQL's range, a huge Last-Event-ID, and bodies far over the limit.
import { readFileSync } from "node:fs";
import http from "node:http";
import { beforeAll, describe, expect, it } from "vitest";
import { api, BASE_URL, TOKENS } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { actorFor } from "@/test/support/actors";
import { sessionCookie } from "@/test/support/session";
import { runAsActor } from "@/lib/auth/resolve-actor";
import { setMaintenanceAction } from "@/lib/instances/actions";
import { createUserAction } from "@/lib/users/actions";
import { createFreezeAction } from "@/lib/channels/actions";

const NUL = "\u0000";
let instanceId = "";
let runId = "";

beforeAll(async () => {
  const db = testDb();
  const inst = await db.instance.create({ data: { name: `hostile-${Date.now()}`, url: "http://127.0.0.1:4997", version: "1.1.0", updateChannel: "manual_approval" } });
  instanceId = inst.id;
  runId = (await db.upgradeRun.create({ data: { instanceId, fromVersion: "1.1.0", toVersion: "1.2.0", status: "succeeded", trigger: "manual" } })).id;
});

/** Every string in `value` (keys too), each as a path and a copy of `value` with a NUL in it. */
function withNul(value: unknown): { where: string; body: unknown }[] {
  const out: { where: string; body: unknown }[] = [];
  const walk = (v: unknown, path: string[], set: (nv: unknown) => unknown) => {
    if (typeof v === "string") out.push({ where: path.join(".") || "_", body: set(`${v.slice(0, 1)}${NUL}${v.slice(1)}`) });
    else if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, String(i)], (nv) => set(v.map((x, j) => (j === i ? nv : x)))));
    else if (v && typeof v === "object") {
      for (const [k, item] of Object.entries(v)) {
        walk(item, [...path, k], (nv) => set({ ...v, [k]: nv }));
        out.push({ where: `${[...path, k].join(".")} (key)`, body: set({ ...Object.fromEntries(Object.entries(v).filter(([kk]) => kk !== k)), [`${k}${NUL}`]: item }) });
      }
    }
  };
  walk(value, [], (nv) => nv);
  return out;
}

const soon = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe("NUL characters", () => {
  const routes = (): [string, string, unknown][] => [
    ["POST", `/api/superadmin/instances/${instanceId}/maintenance`, { enabled: true, message: "Back in 30 minutes." }],
    ["PATCH", `/api/superadmin/instances/${instanceId}`, { pinnedVersion: "1.2.0", maintenanceWindow: { timezone: "Africa/Lagos", windows: [{ dayOfWeek: 6, start: "23:30", durationMinutes: 90 }] } }],
    ["POST", "/api/superadmin/audit-logs", { action: "hostile.test", resource: { type: "instance", id: "abc" }, result: "success", metadata: { note: "hello", list: ["a", { deep: "b" }] } }],
    ["POST", "/api/superadmin/freezes", { instanceId: null, startsAt: soon(1), endsAt: soon(2), reason: "Quarter-end close" }],
    ["POST", `/api/superadmin/instances/${instanceId}/stakeholders`, { name: "Ada Obi", email: "ada@example.test" }],
    ["POST", "/api/superadmin/notification-channels", { kind: "webhook", name: "Ops hook", target: "http://127.0.0.1:9/hook", secret: "0123456789abcdef0123", events: ["upgrade.failed"] }],
    ["POST", `/api/superadmin/instances/${instanceId}/upgrades`, { targetVersion: "1.2.0", rollbackPlan: "Restore the backup.", checklistOverride: { reason: "Tested on staging already." } }],
    ["POST", `/api/superadmin/upgrades/${runId}/reject`, { comment: "Not this week." }],
  ];

  it("in any string of a JSON body (value or key) is refused with 422 and stores nothing", async () => {
    const before = await testDb().auditLog.count();
    for (const [method, path, body] of routes()) {
      for (const { where, body: hostile } of withNul(body)) {
        const res = await api("superadmin", method, path, hostile);
        expect(res.status, `${method} ${path} ${where} → ${res.text.slice(0, 200)}`).toBe(422);
        expect(res.json).toMatchObject({ error: { code: "validation_failed" } });
      }
    }
    expect(await testDb().auditLog.count()).toBe(before);
  });

  it.each([
    "/api/superadmin/audit-logs?actor=a%00b",
    "/api/superadmin/audit-logs?resourceId=%00",
    "/api/superadmin/audit-logs?action=instance.%00*",
    "/api/superadmin/audit-logs/export?resourceType=x%00",
    "/api/superadmin/audit-logs/actors?q=a%00b",
    "/api/superadmin/upgrades?instanceId=%00",
    "/api/superadmin/notifications?status=failed&instanceId=a%00",
    "/api/superadmin/freezes?instanceId=%00",
    "/api/superadmin/versions?type=platform%00",
    "/api/superadmin/alerts?status=open%00",
  ])("in a query filter is refused with 422: %s", async (path) => {
    const res = await api("viewer", "GET", path);
    expect(res.status, res.text.slice(0, 200)).toBe(422);
  });

  it.each([
    ["GET", "instances/%00"],
    ["POST", "instances/a%00b/maintenance"],
    ["GET", "upgrades/a%00/events"],
    ["DELETE", "freezes/%00"],
    ["DELETE", "notification-channels/a%00"],
    ["POST", "status-pages/%00/revoke"],
  ])("in a path id answers 404: %s %s", async (method, p) => {
    const res = await api("superadmin", method, `/api/superadmin/${p}`, method === "POST" ? { enabled: false } : undefined);
    expect(res.status, res.text.slice(0, 200)).toBe(404);
  });

  it("in the console's own pages (audit filters, ids, status links) never answers 500", async () => {
    const cookie = await sessionCookie("superadmin");
    for (const p of ["/audit?actor=a%00b", "/audit?resourceId=%00&result=success", "/instances/a%00b", "/upgrades/%00", "/status/%00"]) {
      const res = await fetch(`${BASE_URL}${p}`, { headers: { cookie } });
      expect(res.status, p).toBeLessThan(500);
    }
  });

  it("in a server action's input is refused as validation_failed", async () => {
    const admin = await actorFor("superadmin");
    const results = await runAsActor(admin, async () => [
      await setMaintenanceAction({ id: instanceId, maintenance: { enabled: true, message: `a${NUL}b` } }),
      await createUserAction({ email: `nul-${Date.now()}@example.test`, name: `Eve${NUL}`, role: "viewer", password: "correct-horse-battery" }),
      await createFreezeAction({ startsAt: soon(1), endsAt: soon(2), reason: `x${NUL}yz` }),
    ]);
    for (const r of results) expect(r).toMatchObject({ ok: false, code: "validation_failed" });
    expect((await testDb().instance.findUniqueOrThrow({ where: { id: instanceId } })).maintenanceMode).toBe(false);
  });
});

describe("numbers and dates out of range", () => {
  it.each(["cursor=9223372036854775808", "cursor=9999999999999999999", "cursor=00000000000000000000001"])("an audit cursor past bigint answers 422: %s", async (q) => {
    const res = await api("viewer", "GET", `/api/superadmin/audit-logs?${q}`);
    expect(res.status, res.text.slice(0, 200)).toBe(422);
    expect((await api("viewer", "GET", `/api/superadmin/audit-logs/export?${q}`)).status).toBe(422);
  });

  it("the largest bigint cursor still works", async () => {
    const res = await api("viewer", "GET", "/api/superadmin/audit-logs?limit=1&cursor=9223372036854775807");
    expect(res.status).toBe(200);
  });

  it.each(["from=%2B300000-01-01", "to=-004714-01-01T00:00:00Z", "from=1969-12-31T23:59:59Z", "to=10000-01-01", "from=275760-09-13", "from=-271821-04-20"])("an audit date outside 1970–9999 answers 422: %s", async (q) => {
    const res = await api("viewer", "GET", `/api/superadmin/audit-logs?${q}`);
    expect(res.status, res.text.slice(0, 200)).toBe(422);
  });

  it("the audit page shows bad filters instead of failing", async () => {
    const cookie = await sessionCookie("viewer");
    for (const q of ["cursor=9999999999999999999", "from=%2B300000-01-01", "to=-004714-01-01"]) {
      const res = await fetch(`${BASE_URL}/audit?${q}`, { headers: { cookie } });
      expect(res.status, q).toBe(200);
    }
  });

  it.each([
    ["scheduledFor", { targetVersion: "1.2.0", scheduledFor: "0001-01-01T00:00:00Z" }],
    ["scheduledFor", { targetVersion: "1.2.0", scheduledFor: "1969-07-20T20:17:00Z" }],
  ])("a schedule outside 1970–9999 answers 422 (%s)", async (field, body) => {
    const res = await api("superadmin", "POST", `/api/superadmin/instances/${instanceId}/upgrades`, body);
    expect(res.status, res.text.slice(0, 200)).toBe(422);
    expect(Object.keys((res.json as { error: { details: { fieldErrors: object } } }).error.details.fieldErrors)).toContain(field);
  });

  it("a freeze outside 1970–9999 answers 422", async () => {
    for (const [startsAt, endsAt] of [["1969-12-31T00:00:00Z", soon(1)], [soon(1), "+010000-01-01T00:00:00Z"]]) {
      const res = await api("superadmin", "POST", "/api/superadmin/freezes", { startsAt, endsAt, reason: "Out of range" });
      expect(res.status, res.text.slice(0, 200)).toBe(422);
    }
  });
});

describe("Last-Event-ID", () => {
  async function readUntil(res: Response, needle: string, ms: number): Promise<string> {
    const reader = res.body!.getReader();
    let text = "";
    const deadline = Date.now() + ms;
    while (!text.includes(needle) && Date.now() < deadline) {
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, deadline - Date.now())))]);
      if (!chunk || chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    return text;
  }

  it.each(["9223372036854775808", "9999999999999999999", "-1", "1e3", "x"])("an invalid or huge one (%s) is ignored: the stream still delivers new events", async (lastId) => {
    const ctrl = new AbortController();
    try {
      const res = await fetch(`${BASE_URL}/api/superadmin/upgrades/${runId}/events`, { headers: { authorization: `Bearer ${TOKENS.viewer}`, "last-event-id": lastId }, signal: ctrl.signal });
      expect(res.status).toBe(200);
      const marker = `hostile-${lastId}-${Date.now()}`;
      await new Promise((r) => setTimeout(r, 300));
      await testDb().runEvent.create({ data: { runId, type: "log", level: "info", message: marker } });
      await testDb().$executeRaw`SELECT pg_notify('run_events', ${runId})`;
      expect(await readUntil(res, marker, 8000)).toContain(marker);
    } finally {
      ctrl.abort();
    }
  });
});

describe("huge bodies", () => {
  const serverPid = Number(process.env.TEST_SERVER_PID ?? 0);
  const memKiB = (field: "VmRSS" | "VmHWM") => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(readFileSync(`/proc/${serverPid}/status`, "utf8"))?.[1] ?? NaN);

  function hugeBody(bytes: number): ReadableStream<Uint8Array> {
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    return new ReadableStream({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"action":"a.b","metadata":{"big":"'));
        if (sent >= bytes) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
  }

  it("a 200 MB chunked body is refused with 4xx, and the server's memory does not grow by its size", async () => {
    expect(serverPid).toBeGreaterThan(0);
    const peakBefore = memKiB("VmHWM");
    const res = await fetch(`${BASE_URL}/api/superadmin/audit-logs`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKENS.superadmin}`, "content-type": "application/json" },
      body: hugeBody(200 * 1024 * 1024),
      duplex: "half",
    } as RequestInit);
    const body = await res.text();
    expect(memKiB("VmHWM") - peakBefore).toBeLessThan(100 * 1024);
    expect(res.status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ error: { code: "payload_too_large" } });
  }, 60_000);

  it("a declared Content-Length over the limit is refused before the body is read", async () => {
    const url = new URL(`${BASE_URL}/api/superadmin/audit-logs`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { authorization: `Bearer ${TOKENS.superadmin}`, "content-type": "application/json", "content-length": String(200 * 1024 * 1024) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on("error", reject);
      // Send only the first bytes: an answer must come without the rest.
      req.write('{"action":"a.b"');
    });
    expect(status).toBe(413);
  }, 30_000);
});
