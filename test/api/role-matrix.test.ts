// Every route, server action and page × anonymous, viewer, approver and superadmin. The expected
// outcome comes from the permission table, so a route that forgets its check fails here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { can, type Permission, type Role } from "@/lib/auth/permissions";
import { runAsActor } from "@/lib/auth/resolve-actor";
import type { ActionResult } from "@/lib/actions/safe-action";
import * as instanceActions from "@/lib/instances/actions";
import * as userActions from "@/lib/users/actions";
import * as channelActions from "@/lib/channels/actions";
import * as notificationActions from "@/lib/notifications/actions";
import { encryptSecret } from "@/lib/crypto";
import { api, BASE_URL, type Who } from "@/test/support/env";
import { actorFor } from "@/test/support/actors";
import { testDb } from "@/test/support/db";
import { sessionCookie } from "@/test/support/session";
import { generateApiToken } from "@/lib/auth/tokens";

const WHO: Who[] = ["anonymous", "viewer", "approver", "superadmin"];

let instanceId = "";
let instanceChannel = "";

beforeAll(async () => {
  const inst = await testDb().instance.findFirstOrThrow({ where: { name: "lagos-production" } });
  instanceId = inst.id;
  instanceChannel = inst.updateChannel === "auto_update" ? "auto-update" : inst.updateChannel === "manual_approval" ? "manual-approval" : "frozen";
});

afterAll(async () => {
  // The fixtures of the notification rows must not send anything in later files.
  await testDb().stakeholder.deleteMany({ where: { email: { endsWith: "@example.test" }, name: { in: ["Matrix", "To remove"] } } });
  await testDb().notificationChannel.deleteMany({ where: { name: { startsWith: "matrix" } } });
  // Nor may its far-future fleet freezes show on instance pages later.
  await testDb().freezePeriod.deleteMany({ where: { reason: { in: ["role matrix", "to delete"] } } });
});

type RouteCase = { method: string; label: string; path: () => string; permission: Permission; body?: () => unknown; ok: number };

const ROUTES: RouteCase[] = [
  { method: "GET", label: "/instances", path: () => "/api/superadmin/instances", permission: "instance:read", ok: 200 },
  { method: "GET", label: "/instances/{id}", path: () => `/api/superadmin/instances/${instanceId}`, permission: "instance:read", ok: 200 },
  // Idempotent bodies: the superadmin row succeeds without changing the fleet.
  { method: "PATCH", label: "/instances/{id}", path: () => `/api/superadmin/instances/${instanceId}`, permission: "instance:update", body: () => ({ updateChannel: instanceChannel }), ok: 200 },
  { method: "POST", label: "/instances/{id}/maintenance", path: () => `/api/superadmin/instances/${instanceId}/maintenance`, permission: "instance:maintenance", body: () => ({ enabled: false }), ok: 200 },
  { method: "GET", label: "/versions", path: () => "/api/superadmin/versions?type=platform&status=stable", permission: "release:read", ok: 200 },
  { method: "GET", label: "/audit-logs", path: () => "/api/superadmin/audit-logs", permission: "audit:read", ok: 200 },
  {
    method: "POST",
    label: "/audit-logs",
    path: () => "/api/superadmin/audit-logs",
    permission: "audit:write",
    body: () => ({ action: "instance.upgrade.rollback", resource: { type: "instance", id: instanceId }, result: "success", metadata: { reason: "role matrix" } }),
    ok: 201,
  },
  { method: "GET", label: "/audit-logs/verify", path: () => "/api/superadmin/audit-logs/verify", permission: "audit:verify", ok: 200 },
  { method: "GET", label: "/audit-logs/verify/full", path: () => "/api/superadmin/audit-logs/verify/full", permission: "audit:verify", ok: 200 },
  // The superadmin row queues a full verification (or gets the one queued already).
  { method: "POST", label: "/audit-logs/verify/full", path: () => "/api/superadmin/audit-logs/verify/full", permission: "audit:verify-full", ok: 202 },
  { method: "GET", label: "/audit-logs/actors", path: () => "/api/superadmin/audit-logs/actors?q=admin", permission: "audit:read", ok: 200 },
  { method: "GET", label: "/audit-logs/export", path: () => "/api/superadmin/audit-logs/export", permission: "audit:read", ok: 200 },
  { method: "GET", label: "/upgrades", path: () => "/api/superadmin/upgrades", permission: "upgrade:read", ok: 200 },
  { method: "GET", label: "/instances/{id}/backups", path: () => `/api/superadmin/instances/${instanceId}/backups`, permission: "backup:read", ok: 200 },
  // Mutations aimed at a run that does not exist: a role that passes the check reaches the
  // domain code and gets 404; the others stop at 401/403.
  { method: "GET", label: "/upgrades/{id}", path: () => "/api/superadmin/upgrades/no-such-run", permission: "upgrade:read", ok: 404 },
  { method: "GET", label: "/upgrades/{id}/events", path: () => "/api/superadmin/upgrades/no-such-run/events", permission: "upgrade:read", ok: 404 },
  { method: "POST", label: "/upgrades/{id}/approve", path: () => "/api/superadmin/upgrades/no-such-run/approve", permission: "upgrade:approve", body: () => ({ comment: "x", rollbackPlanAcknowledged: true }), ok: 404 },
  { method: "POST", label: "/upgrades/{id}/reject", path: () => "/api/superadmin/upgrades/no-such-run/reject", permission: "upgrade:approve", body: () => ({ comment: "x" }), ok: 404 },
  { method: "POST", label: "/upgrades/{id}/checklist", path: () => "/api/superadmin/upgrades/no-such-run/checklist", permission: "upgrade:run", body: () => ({ items: { stakeholdersNotified: true } }), ok: 404 },
  { method: "POST", label: "/upgrades/{id}/cancel", path: () => "/api/superadmin/upgrades/no-such-run/cancel", permission: "upgrade:run", ok: 404 },
  { method: "POST", label: "/upgrades/{id}/rollback", path: () => "/api/superadmin/upgrades/no-such-run/rollback", permission: "rollback:run", ok: 404 },
  { method: "POST", label: "/instances/{id}/upgrades", path: () => "/api/superadmin/instances/no-such-instance/upgrades", permission: "upgrade:run", body: () => ({ targetVersion: "1.2.0" }), ok: 404 },
  { method: "POST", label: "/instances/{id}/backup", path: () => "/api/superadmin/instances/no-such-instance/backup", permission: "backup:run", ok: 404 },
  { method: "POST", label: "/upgrades/{id}/status-page", path: () => "/api/superadmin/upgrades/no-such-run/status-page", permission: "upgrade:run", ok: 404 },
  { method: "POST", label: "/instances/{id}/status-page", path: () => "/api/superadmin/instances/no-such-instance/status-page", permission: "upgrade:run", ok: 404 },
  { method: "POST", label: "/status-pages/{id}/revoke", path: () => "/api/superadmin/status-pages/no-such-page/revoke", permission: "upgrade:run", ok: 404 },
  { method: "GET", label: "/policy-calendar", path: () => "/api/superadmin/policy-calendar", permission: "instance:read", ok: 200 },
  { method: "GET", label: "/freezes", path: () => "/api/superadmin/freezes", permission: "instance:read", ok: 200 },
  // A freeze for an instance that does not exist: the superadmin reaches validation (422) and nothing is written.
  {
    method: "POST",
    label: "/freezes",
    path: () => "/api/superadmin/freezes",
    permission: "freeze:manage",
    body: () => ({ instanceId: "no-such-instance", startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), reason: "role matrix" }),
    ok: 422,
  },
  { method: "DELETE", label: "/freezes/{id}", path: () => "/api/superadmin/freezes/no-such-freeze", permission: "freeze:manage", ok: 404 },
  { method: "GET", label: "/upgrades/{id}/metrics", path: () => "/api/superadmin/upgrades/no-such-run/metrics", permission: "upgrade:read", ok: 404 },
  { method: "GET", label: "/alerts", path: () => "/api/superadmin/alerts?status=open", permission: "alert:read", ok: 200 },
  { method: "POST", label: "/alerts/{id}/resolve", path: () => "/api/superadmin/alerts/no-such-alert/resolve", permission: "alert:resolve", body: () => ({ comment: "role matrix" }), ok: 404 },
  { method: "POST", label: "/instances/{id}/rollback/emergency", path: () => "/api/superadmin/instances/no-such-instance/rollback/emergency", permission: "rollback:run", ok: 404 },
  { method: "GET", label: "/instances/{id}/notification-channels", path: () => `/api/superadmin/instances/${instanceId}/notification-channels`, permission: "notification:read", ok: 200 },
  { method: "POST", label: "/instances/{id}/notification-channels", path: () => "/api/superadmin/instances/no-such-instance/notification-channels", permission: "notification:manage", body: () => ({ kind: "email", name: "matrix", target: "matrix@example.test" }), ok: 404 },
  { method: "GET", label: "/notification-channels", path: () => "/api/superadmin/notification-channels", permission: "notification:read", ok: 200 },
  // A disabled fleet-wide channel: the superadmin row creates one without changing who hears what.
  { method: "POST", label: "/notification-channels", path: () => "/api/superadmin/notification-channels", permission: "notification:manage", body: () => ({ kind: "email", name: "matrix", target: "matrix@example.test", enabled: false }), ok: 201 },
  { method: "PATCH", label: "/notification-channels/{id}", path: () => "/api/superadmin/notification-channels/no-such-channel", permission: "notification:manage", body: () => ({ enabled: false }), ok: 404 },
  { method: "DELETE", label: "/notification-channels/{id}", path: () => "/api/superadmin/notification-channels/no-such-channel", permission: "notification:manage", ok: 404 },
  { method: "POST", label: "/notification-channels/{id}/test", path: () => "/api/superadmin/notification-channels/no-such-channel/test", permission: "notification:manage", ok: 404 },
  { method: "GET", label: "/instances/{id}/stakeholders", path: () => `/api/superadmin/instances/${instanceId}/stakeholders`, permission: "notification:read", ok: 200 },
  { method: "POST", label: "/instances/{id}/stakeholders", path: () => "/api/superadmin/instances/no-such-instance/stakeholders", permission: "notification:manage", body: () => ({ name: "Matrix", email: "matrix@example.test" }), ok: 404 },
  { method: "DELETE", label: "/stakeholders/{id}", path: () => "/api/superadmin/stakeholders/no-such-stakeholder", permission: "notification:manage", ok: 404 },
  { method: "GET", label: "/notifications", path: () => `/api/superadmin/notifications?instanceId=${instanceId}&status=dead`, permission: "notification:read", ok: 200 },
  { method: "POST", label: "/notifications/{id}/retry", path: () => "/api/superadmin/notifications/no-such-notification/retry", permission: "notification:manage", ok: 404 },
];

/** A disabled channel of the seeded instance, for the actions that need one. */
async function matrixChannel(): Promise<string> {
  const row = await testDb().notificationChannel.create({ data: { instanceId, kind: "email", name: `matrix ${seq++}`, targetEncrypted: encryptSecret("matrix@example.test"), events: [], enabled: false } });
  return row.id;
}

describe("REST routes × roles (bearer tokens)", () => {
  for (const r of ROUTES) {
    for (const who of WHO) {
      const expected = who === "anonymous" ? 401 : can(who as Role, r.permission) ? r.ok : 403;
      it(`${r.method} /api/superadmin${r.label} as ${who} → ${expected}`, async () => {
        const res = await api(who, r.method, r.path(), r.body?.());
        expect(res.status, res.text).toBe(expected);
        if (expected >= 400) expect(res.json).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      });
    }
  }
});

describe("REST routes × roles (session cookies)", () => {
  for (const who of ["viewer", "approver", "superadmin"] as const) {
    it(`a ${who}'s browser session reads instances and is held to its role on PATCH`, async () => {
      const cookie = await sessionCookie(who);
      const list = await fetch(`${BASE_URL}/api/superadmin/instances`, { headers: { cookie } });
      expect(list.status).toBe(200);
      const patch = await fetch(`${BASE_URL}/api/superadmin/instances/${instanceId}`, {
        method: "PATCH",
        // A browser names the page's origin on every write (test/api/csrf.test.ts).
        headers: { cookie, "content-type": "application/json", origin: new URL(BASE_URL).origin },
        body: JSON.stringify({ updateChannel: instanceChannel }),
      });
      expect(patch.status).toBe(can(who, "instance:update") ? 200 : 403);
    });
  }
});

type ActionFn = (input: unknown) => Promise<ActionResult<unknown>>;
type ActionCase = { name: string; fn: ActionFn; permission: Permission; input: () => Promise<unknown> | unknown };

let seq = 0;
const ACTIONS: ActionCase[] = [
  { name: "updateInstanceAction", fn: instanceActions.updateInstanceAction, permission: "instance:update", input: () => ({ id: instanceId, changes: { updateChannel: instanceChannel } }) },
  { name: "setMaintenanceAction", fn: instanceActions.setMaintenanceAction, permission: "instance:maintenance", input: () => ({ id: instanceId, maintenance: { enabled: false } }) },
  { name: "createUserAction", fn: userActions.createUserAction, permission: "user:manage", input: () => ({ email: `matrix-${Date.now()}-${seq++}@example.test`, name: "Matrix", role: "viewer", password: "a-long-enough-password" }) },
  {
    name: "updateUserRoleAction",
    fn: userActions.updateUserRoleAction,
    permission: "user:manage",
    input: async () => ({ userId: (await testDb().user.findFirstOrThrow({ where: { email: "viewer@webwaka.local" } })).id, role: "viewer" }),
  },
  {
    name: "setUserDisabledAction",
    fn: userActions.setUserDisabledAction,
    permission: "user:manage",
    input: async () => ({ userId: (await testDb().user.findFirstOrThrow({ where: { email: "viewer@webwaka.local" } })).id, disabled: false }),
  },
  {
    // A throwaway account: setting a password ends that person's sessions.
    name: "setUserPasswordAction",
    fn: userActions.setUserPasswordAction,
    permission: "user:manage",
    input: async () => ({ userId: (await testDb().user.create({ data: { email: `matrix-pw-${Date.now()}-${seq++}@example.test`, name: "Matrix", role: "viewer", passwordHash: "x" } })).id, password: "a-long-enough-password" }),
  },
  // A fleet-wide freeze a year ahead: outside every window search, so it changes no other test.
  {
    name: "createFreezeAction",
    fn: channelActions.createFreezeAction,
    permission: "freeze:manage",
    input: () => ({ instanceId: null, startsAt: new Date(Date.now() + 365 * 86_400_000).toISOString(), endsAt: new Date(Date.now() + 365 * 86_400_000 + 3_600_000).toISOString(), reason: "role matrix" }),
  },
  {
    name: "deleteFreezeAction",
    fn: channelActions.deleteFreezeAction,
    permission: "freeze:manage",
    input: async () => {
      const far = Date.now() + 366 * 86_400_000;
      const row = await testDb().freezePeriod.create({ data: { startsAt: new Date(far), endsAt: new Date(far + 3_600_000), reason: "to delete" } });
      return { id: row.id };
    },
  },
  { name: "createChannelAction", fn: notificationActions.createChannelAction, permission: "notification:manage", input: () => ({ instanceId, channel: { kind: "email", name: "matrix", target: "matrix@example.test", enabled: false } }) },
  { name: "updateChannelAction", fn: notificationActions.updateChannelAction, permission: "notification:manage", input: async () => ({ channelId: await matrixChannel(), changes: { enabled: false } }) },
  { name: "deleteChannelAction", fn: notificationActions.deleteChannelAction, permission: "notification:manage", input: async () => ({ channelId: await matrixChannel() }) },
  { name: "sendTestNotificationAction", fn: notificationActions.sendTestNotificationAction, permission: "notification:manage", input: async () => ({ channelId: await matrixChannel() }) },
  { name: "addStakeholderAction", fn: notificationActions.addStakeholderAction, permission: "notification:manage", input: () => ({ instanceId, stakeholder: { name: "Matrix", email: `matrix-${Date.now()}-${seq++}@example.test` } }) },
  {
    name: "removeStakeholderAction",
    fn: notificationActions.removeStakeholderAction,
    permission: "notification:manage",
    input: async () => ({ stakeholderId: (await testDb().stakeholder.create({ data: { instanceId, name: "To remove", email: `remove-${Date.now()}-${seq++}@example.test` } })).id }),
  },
  {
    name: "retryNotificationAction",
    fn: notificationActions.retryNotificationAction,
    permission: "notification:manage",
    input: async () => {
      const channelId = await matrixChannel();
      const row = await testDb().notificationOutbox.create({ data: { kind: "email", channelId, event: "test", instanceId, payload: { event: "test", title: "matrix" }, status: "dead", attempts: 8, lastError: "matrix" } });
      return { id: row.id };
    },
  },
  { name: "createApiTokenAction", fn: userActions.createApiTokenAction, permission: "token:manage", input: () => ({ name: "matrix token" }) },
  {
    name: "revokeApiTokenAction",
    fn: userActions.revokeApiTokenAction,
    permission: "token:manage",
    input: async () => {
      const owner = await testDb().user.findFirstOrThrow({ where: { role: "superadmin" } });
      const t = generateApiToken();
      const row = await testDb().apiToken.create({ data: { userId: owner.id, name: "to revoke", tokenHash: t.hash, prefix: t.prefix } });
      return { tokenId: row.id };
    },
  },
];

describe("server actions × roles", () => {
  it("the table covers every exported server action", () => {
    const modules = import.meta.glob<Record<string, unknown>>("/lib/**/actions.ts", { eager: true });
    const exported = Object.values(modules).flatMap((m) => Object.entries(m).filter(([, v]) => typeof v === "function").map(([k]) => k));
    expect(exported.sort()).toEqual(ACTIONS.map((a) => a.name).sort());
  });

  for (const a of ACTIONS) {
    for (const who of WHO) {
      const allowed = who !== "anonymous" && can(who as Role, a.permission);
      it(`${a.name} as ${who} → ${who === "anonymous" ? "unauthorized" : allowed ? "ok" : "forbidden"}`, async () => {
        const actor = await actorFor(who);
        const input = await a.input();
        const res = await runAsActor(actor, () => a.fn(input));
        if (who === "anonymous") expect(res).toMatchObject({ ok: false, code: "unauthorized" });
        else if (allowed) expect(res, JSON.stringify(res)).toMatchObject({ ok: true });
        else expect(res).toMatchObject({ ok: false, code: "forbidden" });
      });
    }
  }
});

const PAGES = ["/", "/instances", "/releases", "/upgrades", "/approvals", "/calendar", "/audit", "/settings"];

describe("pages × roles", () => {
  for (const page of PAGES) {
    it(`${page} sends an anonymous visitor to the login page`, async () => {
      const res = await fetch(`${BASE_URL}${page}`, { redirect: "manual" });
      expect([302, 303, 307]).toContain(res.status);
      expect(res.headers.get("location")).toContain("/login");
    });
    for (const who of ["viewer", "approver", "superadmin"] as const) {
      it(`${page} renders for a ${who}`, async () => {
        const res = await fetch(`${BASE_URL}${page}`, { headers: { cookie: await sessionCookie(who) }, redirect: "manual" });
        expect(res.status).toBe(200);
      });
    }
  }

  it("only a superadmin's settings page offers users and tokens", async () => {
    for (const who of ["viewer", "approver", "superadmin"] as const) {
      const html = await (await fetch(`${BASE_URL}/settings`, { headers: { cookie: await sessionCookie(who) } })).text();
      expect(html.includes("Create token"), who).toBe(who === "superadmin");
      expect(html.includes("Add user"), who).toBe(who === "superadmin");
    }
  });

  it("only a superadmin's instance page offers the channel form and maintenance switch", async () => {
    for (const who of ["viewer", "approver", "superadmin"] as const) {
      const html = await (await fetch(`${BASE_URL}/instances/${instanceId}`, { headers: { cookie: await sessionCookie(who) } })).text();
      expect(html.includes("Update channel and version pin"), who).toBe(who === "superadmin");
      expect(html.includes("maintenance mode</button>"), who).toBe(who === "superadmin");
      expect(html.includes("Add a change freeze"), who).toBe(who === "superadmin");
      expect(html.includes("Maintenance windows and approvals"), who).toBe(who === "superadmin");
      expect(html.includes("Add channel"), who).toBe(who === "superadmin");
      expect(html.includes("Recent deliveries") || html.includes("No notifications yet."), who).toBe(true);
    }
  });
});
