// The REST API as DESIGN.md states it: shapes, status codes, the error shape, and the audit
// entry each mutation writes. Runs against a real server and database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, BASE_URL, TOKENS } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { createTestInstance, stopTestInstance, type TestInstance } from "@/test/support/instances";
import { signInOverHttp } from "@/test/support/session";
import { generateApiToken } from "@/lib/auth/tokens";
import { hashPassword } from "@/lib/auth/password";
import { awayFromWindowEdge } from "@/test/support/wait";

// DESIGN's fields, then the per-instance policy settings the console adds (docs/api.md).
const INSTANCE_FIELDS = ["id", "name", "url", "version", "status", "maintenanceMode", "maintenanceMessage", "updateChannel", "pinnedVersion", "maintenanceWindow", "activeUpgradeId", "lastBackupAt", "timezone", "requiredApprovals", "autoRollback", "monitoringWindowMinutes", "rollbackOnMonitoringBreach", "attention"].sort();
const VERSION_FIELDS = ["version", "type", "status", "breaking", "security", "critical", "releasedAt", "changelog", "minUpgradeFrom"].sort();

let id = "";

beforeAll(async () => {
  const inst = await testDb().instance.create({ data: { name: `contract-${Date.now()}`, url: "http://127.0.0.1:4999", version: "1.1.0", updateChannel: "manual_approval" } });
  id = inst.id;
});

async function latestAudit(action: string, resourceId: string) {
  return testDb().auditLog.findFirst({ where: { action, resourceId }, orderBy: { id: "desc" } });
}

function expectError(res: { status: number; json: unknown }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.json).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe("GET /api/superadmin/instances", () => {
  it("lists instances with exactly the DESIGN fields", async () => {
    const res = await api("viewer", "GET", "/api/superadmin/instances");
    expect(res.status).toBe(200);
    const { instances } = res.json as { instances: Record<string, unknown>[] };
    expect(instances.length).toBeGreaterThanOrEqual(3);
    for (const i of instances) expect(Object.keys(i).sort()).toEqual(INSTANCE_FIELDS);
    expect(new Set(instances.map((i) => i.updateChannel))).toEqual(new Set(["auto-update", "manual-approval", "frozen"]));
  });

  it("answers 404 for an unknown or malformed id", async () => {
    expectError(await api("viewer", "GET", "/api/superadmin/instances/does-not-exist"), 404, "not_found");
    expectError(await api("viewer", "GET", `/api/superadmin/instances/${"x".repeat(500)}`), 404, "not_found");
    expectError(await api("viewer", "GET", "/api/superadmin/instances/%E2%9C%93%00"), 404, "not_found");
  });
});

describe("PATCH /api/superadmin/instances/{id}", () => {
  it("changes the channel and pins a version, audited with before and after", async () => {
    const res = await api("superadmin", "PATCH", `/api/superadmin/instances/${id}`, { updateChannel: "frozen", pinnedVersion: "1.2.1" });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id, updateChannel: "frozen", pinnedVersion: "1.2.1" });
    const entry = await latestAudit("instance.update", id);
    expect(entry?.metadata).toMatchObject({ changes: { updateChannel: { from: "manual-approval", to: "frozen" }, pinnedVersion: { from: null, to: "1.2.1" } } });
    expect(entry?.actorLabel).toContain("admin@webwaka.local");
    const unpin = await api("superadmin", "PATCH", `/api/superadmin/instances/${id}`, { pinnedVersion: null, updateChannel: "manual-approval" });
    expect(unpin.json).toMatchObject({ pinnedVersion: null, updateChannel: "manual-approval" });
  });

  it("sets and clears weekly maintenance windows", async () => {
    const window = { timezone: "Africa/Lagos", windows: [{ dayOfWeek: 6, start: "23:30", durationMinutes: 90 }] };
    const res = await api("superadmin", "PATCH", `/api/superadmin/instances/${id}`, { maintenanceWindow: window });
    expect(res.status).toBe(200);
    expect((res.json as { maintenanceWindow: unknown }).maintenanceWindow).toEqual(window);
    const cleared = await api("superadmin", "PATCH", `/api/superadmin/instances/${id}`, { maintenanceWindow: null });
    expect((cleared.json as { maintenanceWindow: unknown }).maintenanceWindow).toBeNull();
  });

  it.each([
    [{ updateChannel: "weekly" }, "updateChannel"],
    [{ updateChannel: 3 }, "updateChannel"],
    [{ pinnedVersion: "latest" }, "pinnedVersion"],
    [{ pinnedVersion: "9.9.9" }, "pinnedVersion"],
    [{ maintenanceWindow: { timezone: "Mars/Base", windows: [] } }, "maintenanceWindow.timezone"],
    [{ maintenanceWindow: { timezone: "UTC", windows: [{ dayOfWeek: 7, start: "25:00", durationMinutes: 5 }] } }, "maintenanceWindow.windows.0.dayOfWeek"],
    [{ surprise: true }, "_"],
    [{}, "_"],
  ])("answers 422 for %j and changes nothing", async (body, field) => {
    const before = await testDb().instance.findUniqueOrThrow({ where: { id } });
    const res = await api("superadmin", "PATCH", `/api/superadmin/instances/${id}`, body);
    expectError(res, 422, "validation_failed");
    expect(Object.keys((res.json as { error: { details: { fieldErrors: object } } }).error.details.fieldErrors)).toContain(field);
    const after = await testDb().instance.findUniqueOrThrow({ where: { id } });
    expect(after.updatedAt).toEqual(before.updatedAt);
  });

  it("answers 400 for a body that is not JSON, or not sent as JSON", async () => {
    expectError(await api("superadmin", "PATCH", `/api/superadmin/instances/${id}`, "{nope"), 400, "bad_request");
    const res = await fetch(`${BASE_URL}/api/superadmin/instances/${id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${TOKENS.superadmin}`, "content-type": "text/plain" },
      body: JSON.stringify({ updateChannel: "frozen" }),
    });
    expect(res.status).toBe(400);
  });

  it("answers 404 for an unknown instance", async () => {
    expectError(await api("superadmin", "PATCH", "/api/superadmin/instances/nope", { updateChannel: "frozen" }), 404, "not_found");
  });
});

describe("POST /api/superadmin/instances/{id}/maintenance", () => {
  // The switch drives the platform itself, so this needs a real instance (process driver).
  let real: TestInstance | undefined;
  afterAll(async () => {
    if (real) await stopTestInstance(real).catch(() => undefined);
  });

  it("enables and disables maintenance mode, audited", async () => {
    real = await createTestInstance("1.1.0", { channel: "manual_approval" });
    const id = real.id;
    const on = await api("superadmin", "POST", `/api/superadmin/instances/${id}/maintenance`, { enabled: true, message: "System upgrade in progress. Expected completion: 30 minutes." });
    expect(on.status).toBe(200);
    expect(on.json).toMatchObject({ maintenanceMode: true, status: "maintenance", maintenanceMessage: "System upgrade in progress. Expected completion: 30 minutes." });
    expect(await latestAudit("instance.maintenance.enable", id)).not.toBeNull();
    const got = await api("viewer", "GET", `/api/superadmin/instances/${id}`);
    expect(got.json).toMatchObject({ maintenanceMode: true });
    const off = await api("superadmin", "POST", `/api/superadmin/instances/${id}/maintenance`, { enabled: false });
    expect(off.json).toMatchObject({ maintenanceMode: false, status: "active", maintenanceMessage: null });
    expect(await latestAudit("instance.maintenance.disable", id)).not.toBeNull();
  });

  it("answers 409 for an instance the console has no runtime for, and changes nothing", async () => {
    const res = await api("superadmin", "POST", `/api/superadmin/instances/${id}/maintenance`, { enabled: true });
    expectError(res, 409, "conflict");
    expect(await testDb().instance.findUniqueOrThrow({ where: { id } })).toMatchObject({ maintenanceMode: false });
  });

  it("answers 422 when enabled is missing or not a boolean", async () => {
    expectError(await api("superadmin", "POST", `/api/superadmin/instances/${id}/maintenance`, { enabled: "yes" }), 422, "validation_failed");
    expectError(await api("superadmin", "POST", `/api/superadmin/instances/${id}/maintenance`, {}), 422, "validation_failed");
  });
});

describe("GET /api/superadmin/versions", () => {
  it("lists stable platform releases newest first, with the DESIGN fields", async () => {
    const res = await api("viewer", "GET", "/api/superadmin/versions?type=platform&status=stable");
    expect(res.status).toBe(200);
    const { versions } = res.json as { versions: Record<string, unknown>[] };
    expect(versions.map((v) => v.version)).toEqual(["2.0.0", "1.2.1", "1.2.0", "1.1.0", "1.0.0"]);
    for (const v of versions) expect(Object.keys(v).sort()).toEqual(VERSION_FIELDS);
    expect(versions.find((v) => v.version === "1.2.1")).toMatchObject({ security: true });
    expect(versions.find((v) => v.version === "2.0.0")).toMatchObject({ breaking: true, minUpgradeFrom: "1.2.0" });
  });

  it("answers 422 for an unknown type or status", async () => {
    expectError(await api("viewer", "GET", "/api/superadmin/versions?type=worker"), 422, "validation_failed");
    expectError(await api("viewer", "GET", "/api/superadmin/versions?status=shiny"), 422, "validation_failed");
  });
});

describe("audit log API", () => {
  it("records the runbook's rollback entry and finds it by filters", async () => {
    const body = { action: "instance.upgrade.rollback", resource: { type: "instance", id }, result: "success", metadata: { reason: "Upgrade validation failed" } };
    const created = await api("superadmin", "POST", "/api/superadmin/audit-logs", body);
    expect(created.status).toBe(201);
    const res = await api("viewer", "GET", `/api/superadmin/audit-logs?action=instance.upgrade.rollback&resourceType=instance&resourceId=${id}&result=success`);
    expect(res.status).toBe(200);
    const { auditLogs } = res.json as { auditLogs: { action: string; metadata: Record<string, unknown>; actor: { type: string } }[] };
    expect(auditLogs[0]).toMatchObject({ action: "instance.upgrade.rollback", metadata: { reason: "Upgrade validation failed" }, actor: { type: "token" } });
  });

  it("pages newest first with a keyset cursor", async () => {
    const first = await api("viewer", "GET", "/api/superadmin/audit-logs?limit=3");
    const p1 = first.json as { auditLogs: { id: string }[]; nextCursor: string };
    expect(p1.auditLogs).toHaveLength(3);
    expect(p1.nextCursor).toBe(p1.auditLogs[2]?.id);
    const second = await api("viewer", "GET", `/api/superadmin/audit-logs?limit=3&cursor=${p1.nextCursor}`);
    const p2 = second.json as { auditLogs: { id: string }[] };
    const ids = [...p1.auditLogs, ...p2.auditLogs].map((e) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : 1)));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("filters by time and actor", async () => {
    const future = await api("viewer", "GET", `/api/superadmin/audit-logs?from=${new Date(Date.now() + 86_400_000).toISOString()}`);
    expect((future.json as { auditLogs: unknown[] }).auditLogs).toHaveLength(0);
    const mine = await api("viewer", "GET", "/api/superadmin/audit-logs?actor=admin@webwaka.local&limit=50");
    for (const e of (mine.json as { auditLogs: { actor: { label: string } }[] }).auditLogs) expect(e.actor.label).toContain("admin@webwaka.local");
  });

  it.each(["cursor=-1", "cursor=abc", "from=yesterday", "result=maybe", "limit=0", "limit=100000"])("answers 422 for %s", async (q) => {
    expectError(await api("viewer", "GET", `/api/superadmin/audit-logs?${q}`), 422, "validation_failed");
  });

  it.each([
    [{ action: "Bad Action", resource: { type: "instance", id: "x" }, result: "success" }],
    [{ action: "instance.upgrade.rollback", resource: { type: "instance" }, result: "success" }],
    [{ action: "instance.upgrade.rollback", resource: { type: "instance", id: "x" }, result: "great" }],
    [{ action: "instance.upgrade.rollback", resource: { type: "instance", id: "x" }, result: "success", metadata: "text" }],
  ])("refuses a malformed entry with 422: %j", async (body) => {
    expectError(await api("superadmin", "POST", "/api/superadmin/audit-logs", body), 422, "validation_failed");
  });

  it("exports CSV with a header row and quoted cells", async () => {
    const res = await fetch(`${BASE_URL}/api/superadmin/audit-logs/export?action=instance.upgrade.rollback`, { headers: { authorization: `Bearer ${TOKENS.viewer}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="audit-log-.*\.csv"/);
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]).toBe("id,createdAt,actorType,actorId,actorLabel,action,resourceType,resourceId,result,ip,metadata,hash");
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[1]).toContain('"instance.upgrade.rollback"');
  });

  it("verifies the chain", async () => {
    const res = await api("viewer", "GET", "/api/superadmin/audit-logs/verify");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ok: true, checked: expect.any(Number) });
  });
});

describe("tokens", () => {
  it("a revoked, expired, unknown or malformed token answers 401", async () => {
    const owner = await testDb().user.findFirstOrThrow({ where: { role: "superadmin" } });
    const revoked = generateApiToken();
    await testDb().apiToken.create({ data: { userId: owner.id, name: "revoked", tokenHash: revoked.hash, prefix: revoked.prefix, revokedAt: new Date() } });
    const expired = generateApiToken();
    await testDb().apiToken.create({ data: { userId: owner.id, name: "expired", tokenHash: expired.hash, prefix: expired.prefix, expiresAt: new Date(Date.now() - 1000) } });
    for (const header of [`Bearer ${revoked.token}`, `Bearer ${expired.token}`, "Bearer wwk_nope", "Basic abc", "Bearer"]) {
      const res = await fetch(`${BASE_URL}/api/superadmin/instances`, { headers: { authorization: header } });
      expect(res.status, header).toBe(401);
    }
  });

  it("stores only the sha256 of a token", async () => {
    const rows = await testDb().apiToken.findMany();
    for (const r of rows) {
      expect(r.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect(Object.values(TOKENS)).not.toContain(r.tokenHash);
    }
  });
});

describe("sign-in", () => {
  it("refuses a wrong password and a disabled account, and records both", async () => {
    expect((await signInOverHttp("admin@webwaka.local", "wrong-password")).ok).toBe(false);
    const email = `disabled-${Date.now()}@example.test`;
    await testDb().user.create({ data: { email, name: "Gone", role: "viewer", passwordHash: await hashPassword("correct-horse-battery"), disabledAt: new Date() } });
    expect((await signInOverHttp(email, "correct-horse-battery")).ok).toBe(false);
    const failures = await testDb().auditLog.findMany({ where: { action: "auth.login", result: "failure", resourceId: { in: ["admin@webwaka.local", email] } } });
    expect(failures.length).toBeGreaterThanOrEqual(2);
  });

  it("rate-limits repeated attempts on one account", { timeout: 90_000 }, async () => {
    // The limit counts in fixed windows: twelve attempts that straddle a window's end would be
    // counted in two (they once were, in CI). Wait out the last half minute of a window.
    await awayFromWindowEdge(15 * 60, 30_000); // LOGIN_WINDOW_SECONDS in lib/auth/auth-options.ts
    const email = `brute-${Date.now()}@example.test`;
    const outcomes: (string | null)[] = [];
    for (let i = 0; i < 12; i++) outcomes.push((await signInOverHttp(email, `guess-${i}`)).error);
    expect(outcomes.slice(0, 10).every((e) => e === "CredentialsSignin")).toBe(true);
    expect(outcomes.slice(10)).toEqual(["RateLimited", "RateLimited"]);
    // Rate-limited attempts are counted, not audited; failures are audited up to a budget, then
    // summarised once (test/api/login-audit.test.ts).
    expect(await testDb().auditLog.count({ where: { action: "auth.login", result: "denied", resourceId: email } })).toBe(0);
    const rows = await testDb().auditLog.findMany({ where: { action: "auth.login", resourceId: email } });
    expect(rows.filter((r) => (r.metadata as { reason?: string }).reason === "audit_suppressed")).toHaveLength(1);
  });
});

describe("the console's own endpoints", () => {
  it("GET /health/status", async () => {
    const res = await fetch(`${BASE_URL}/health/status`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "healthy", checks: { database: { status: "ok" } } });
  });

  it("GET /api/version", async () => {
    expect(await (await fetch(`${BASE_URL}/api/version`)).json()).toMatchObject({ name: "webwaka-upgrade-console", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it("GET /metrics is Prometheus text with fleet gauges", async () => {
    const res = await fetch(`${BASE_URL}/metrics`);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toMatch(/^webwaka_console_instances\{status="active"\} \d+$/m);
    expect(text).toMatch(/^webwaka_console_audit_entries \d+$/m);
    expect(text).toContain("webwaka_console_process_cpu_seconds_total");
  });

  it("unknown API paths answer 404 in the error shape", async () => {
    expectError(await api("viewer", "GET", "/api/superadmin/nothing-here"), 404, "not_found");
  });
});

describe("no input answers 500", () => {
  const garbage: unknown[] = [null, [], 0, "x", { updateChannel: null }, { pinnedVersion: { $gt: "" } }, { maintenanceWindow: "sunday" }, { enabled: null }, { a: "\u0000".repeat(10) }, { action: "x".repeat(10_000) }];
  const paths = () => [`/api/superadmin/instances/${id}`, `/api/superadmin/instances/${id}/maintenance`, "/api/superadmin/audit-logs", "/api/superadmin/instances/%00", "/api/superadmin/instances/..%2F..%2Fetc"];
  it("for every mutation route, malformed bodies get a 4xx", async () => {
    for (const p of paths()) {
      for (const method of ["POST", "PATCH", "PUT", "DELETE"]) {
        for (const body of garbage) {
          const res = await api("superadmin", method, p, body);
          expect(res.status, `${method} ${p} ${JSON.stringify(body).slice(0, 60)} → ${res.text.slice(0, 200)}`).toBeLessThan(500);
        }
      }
    }
  });

  it("a body over 256 KiB is refused", async () => {
    const res = await api("superadmin", "POST", "/api/superadmin/audit-logs", { action: "a.b", resource: { type: "x", id: "y" }, result: "success", metadata: { big: "x".repeat(300_000) } });
    expectError(res, 413, "payload_too_large");
  });
});
