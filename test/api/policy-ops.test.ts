// Freezes, per-instance approval settings, the policy calendar and the live approval queue,
// through the running server and a real database.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { api, authHeaders, BASE_URL, type Who } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { nextWindowStart } from "@/lib/channels/windows";
import { startDueScheduled } from "@/lib/jobs/worker";
import type { UpdateChannel } from "@/generated/prisma/enums";

// Database rows only: nothing here starts an instance, so no runtime is provisioned.
async function bareInstance(channel: UpdateChannel, version: string, extra: { pinnedVersion?: string; windows?: { dayOfWeek: number; startMinute: number; durationMinutes: number }[] } = {}) {
  return testDb().instance.create({
    data: {
      name: `p-${randomBytes(4).toString("hex")}`,
      url: "http://127.0.0.1:1",
      version,
      updateChannel: channel,
      timezone: "Africa/Lagos",
      pinnedVersion: extra.pinnedVersion ?? null,
      ...(extra.windows ? { maintenanceWindows: { create: extra.windows } } : {}),
    },
  });
}

type Cell = { outcome: string; at: string | null; urgent: boolean; reason: string };
type Calendar = { rows: { instance: { id: string }; cells: { version: string; request: Cell; automatic: Cell }[]; freeze: { reason: string } | null }[] };

// The calendar is paged by instance name: search for the one instance (names are unique).
async function calendarRow(instance: { id: string; name: string }) {
  const res = await api("viewer", "GET", `/api/superadmin/policy-calendar?q=${encodeURIComponent(instance.name)}`);
  expect(res.status, res.text).toBe(200);
  const row = (res.json as Calendar).rows.find((r) => r.instance.id === instance.id);
  expect(row).toBeDefined();
  return { ...row!, cell: (v: string) => row!.cells.find((c) => c.version === v) };
}

describe("the policy calendar", () => {
  it("says what a request and the auto-update worker would do for every pending release", async () => {
    const day = (new Date().getUTCDay() + 2) % 7;
    const auto = await bareInstance("auto_update", "1.0.0", { windows: [{ dayOfWeek: day, startMinute: 120, durationMinutes: 60 }] });
    const manual = await bareInstance("manual_approval", "1.1.0");
    const frozen = await bareInstance("frozen", "1.0.0");
    const pinned = await bareInstance("auto_update", "1.0.0", { pinnedVersion: "1.1.0" });

    const a = await calendarRow(auto);
    expect(a.cells.map((c) => c.version)).toEqual(expect.arrayContaining(["1.1.0", "1.2.0", "1.2.1", "2.0.0"]));
    expect(a.cell("1.0.0")).toBeUndefined();
    const nextWindow = nextWindowStart(new Date(), [{ dayOfWeek: day, startMinute: 120, durationMinutes: 60 }], "Africa/Lagos")!;
    expect(a.cell("1.1.0")?.automatic).toMatchObject({ outcome: "window", at: nextWindow.toISOString() });
    expect(a.cell("1.2.1")?.automatic).toMatchObject({ outcome: "now", urgent: true });
    expect(a.cell("2.0.0")?.automatic.outcome).toBe("approval");
    expect(a.cell("1.1.1-fault.errors")?.automatic).toMatchObject({ outcome: "blocked" });
    expect(a.cell("1.1.1-fault.errors")?.automatic.reason).toMatch(/stable/);

    const m = await calendarRow(manual);
    expect(m.cell("1.2.0")?.request).toMatchObject({ outcome: "approval", urgent: false });
    expect(m.cell("1.2.1")?.request).toMatchObject({ outcome: "approval", urgent: true });

    const f = await calendarRow(frozen);
    expect(f.cell("1.1.0")?.request.outcome).toBe("frozen");
    expect(f.cell("1.2.1")?.request.outcome).toBe("override_possible");
    expect(f.cell("1.2.1")?.automatic.outcome).toBe("frozen");

    const p = await calendarRow(pinned);
    expect(p.cell("1.2.0")?.request).toMatchObject({ outcome: "blocked" });
    expect(p.cell("1.2.0")?.request.reason).toMatch(/pinned to 1\.1\.0/);
  });

  it("is for signed-in users only", async () => {
    expect((await api("anonymous", "GET", "/api/superadmin/policy-calendar")).status).toBe(401);
    const page = await fetch(`${BASE_URL}/calendar`, { redirect: "manual" });
    expect([302, 303, 307]).toContain(page.status);
  });
});

describe("change freezes", () => {
  it("a superadmin adds and removes one, audited; others may only read", async () => {
    const inst = await bareInstance("auto_update", "1.0.0");
    const body = { instanceId: inst.id, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), reason: "Quarter-end close" };
    for (const who of ["viewer", "approver"] as Who[]) expect((await api(who, "POST", "/api/superadmin/freezes", body)).status).toBe(403);
    const created = await api("superadmin", "POST", "/api/superadmin/freezes", body);
    expect(created.status, created.text).toBe(201);
    const freeze = (created.json as { freeze: { id: string; active: boolean } }).freeze;
    expect(freeze.active).toBe(true);
    const audit = await testDb().auditLog.findFirstOrThrow({ where: { action: "instance.freeze.create", resourceId: inst.id } });
    expect(audit.metadata).toMatchObject({ freezeId: freeze.id, reason: "Quarter-end close" });

    const listed = await api("viewer", "GET", `/api/superadmin/freezes?instanceId=${inst.id}`);
    expect((listed.json as { freezes: { id: string }[] }).freezes.map((f) => f.id)).toContain(freeze.id);
    const row = await calendarRow(inst);
    expect(row.freeze?.reason).toBe("Quarter-end close");
    expect(row.cell("1.2.0")?.automatic.outcome).toBe("frozen");

    expect((await api("viewer", "DELETE", `/api/superadmin/freezes/${freeze.id}`)).status).toBe(403);
    expect((await api("superadmin", "DELETE", `/api/superadmin/freezes/${freeze.id}`)).status).toBe(200);
    expect((await api("superadmin", "DELETE", `/api/superadmin/freezes/${freeze.id}`)).status).toBe(404);
    expect(await testDb().auditLog.findFirst({ where: { action: "instance.freeze.delete", resourceId: inst.id } })).not.toBeNull();
  });

  it("refuses periods that end before they start, are over, or last too long, and unknown instances", async () => {
    const now = Date.now();
    const cases: [Record<string, unknown>, string][] = [
      [{ startsAt: new Date(now + 7_200_000).toISOString(), endsAt: new Date(now + 3_600_000).toISOString(), reason: "Backwards" }, "endsAt"],
      [{ startsAt: new Date(now - 7_200_000).toISOString(), endsAt: new Date(now - 3_600_000).toISOString(), reason: "Over" }, "endsAt"],
      [{ startsAt: new Date(now).toISOString(), endsAt: new Date(now + 200 * 86_400_000).toISOString(), reason: "Too long" }, "endsAt"],
      [{ startsAt: "tomorrow", endsAt: new Date(now + 3_600_000).toISOString(), reason: "Bad date" }, "startsAt"],
      [{ startsAt: new Date(now).toISOString(), endsAt: new Date(now + 3_600_000).toISOString(), reason: "" }, "reason"],
      [{ instanceId: "no-such-instance", startsAt: new Date(now).toISOString(), endsAt: new Date(now + 3_600_000).toISOString(), reason: "Nobody" }, "instanceId"],
    ];
    for (const [body, field] of cases) {
      const res = await api("superadmin", "POST", "/api/superadmin/freezes", body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(Object.keys((res.json as { error: { details: { fieldErrors: Record<string, string[]> } } }).error.details.fieldErrors)).toContain(field);
    }
  });

  it("moves a scheduled run that falls inside a freeze to after it, instead of starting it", async () => {
    const inst = await bareInstance("auto_update", "1.0.0");
    const run = await testDb().upgradeRun.create({
      data: { instanceId: inst.id, activeInstanceId: inst.id, fromVersion: "1.0.0", toVersion: "1.1.0", status: "scheduled", trigger: "auto_update", scheduledFor: new Date(Date.now() - 1000) },
    });
    const endsAt = new Date(Date.now() + 3_600_000);
    await testDb().freezePeriod.create({ data: { instanceId: null, startsAt: new Date(Date.now() - 60_000), endsAt, reason: "Fleet-wide release freeze" } });
    try {
      await startDueScheduled();
      const after = await testDb().upgradeRun.findUniqueOrThrow({ where: { id: run.id } });
      expect(after.status).toBe("scheduled");
      expect(after.scheduledFor?.toISOString()).toBe(endsAt.toISOString());
      const audit = await testDb().auditLog.findFirstOrThrow({ where: { action: "instance.upgrade.reschedule", resourceId: inst.id } });
      expect(JSON.stringify(audit.metadata)).toMatch(/Fleet-wide release freeze/);
    } finally {
      await testDb().freezePeriod.deleteMany({ where: { reason: "Fleet-wide release freeze" } });
      await testDb().upgradeRun.update({ where: { id: run.id }, data: { status: "cancelled", activeInstanceId: null } });
    }
  });
});

describe("approval settings per instance", () => {
  it("PATCH sets the approvals required and auto-rollback, audited; bad values answer 422", async () => {
    const inst = await bareInstance("manual_approval", "1.1.0");
    for (const bad of [{ requiredApprovals: 0 }, { requiredApprovals: 6 }, { requiredApprovals: 1.5 }, { autoRollback: "yes" }]) {
      expect((await api("superadmin", "PATCH", `/api/superadmin/instances/${inst.id}`, bad)).status, JSON.stringify(bad)).toBe(422);
    }
    const res = await api("superadmin", "PATCH", `/api/superadmin/instances/${inst.id}`, { requiredApprovals: 2, autoRollback: false });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ requiredApprovals: 2, autoRollback: false });
    const audit = await testDb().auditLog.findFirstOrThrow({ where: { action: "instance.update", resourceId: inst.id }, orderBy: { id: "desc" } });
    expect(audit.metadata).toMatchObject({ changes: { requiredApprovals: { from: 1, to: 2 }, autoRollback: { from: true, to: false } } });
  });
});

describe("the approval queue updates live", () => {
  let manualId = "";
  beforeAll(async () => {
    manualId = (await bareInstance("manual_approval", "1.1.0")).id;
  });

  it("sends a change event when a request arrives, to any signed-in role", async () => {
    expect((await fetch(`${BASE_URL}/api/superadmin/approvals/events`)).status).toBe(401);
    const ctrl = new AbortController();
    const stream = await fetch(`${BASE_URL}/api/superadmin/approvals/events`, { headers: authHeaders("viewer"), signal: ctrl.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = stream.body!.getReader();
    let text = "";
    const read = async (until: (t: string) => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!until(text) && Date.now() < deadline) {
        const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
        if (!chunk || chunk.done) break;
        text += new TextDecoder().decode(chunk.value);
      }
    };
    try {
      await read((t) => t.includes("retry:"), 5000);
      const req = await api("superadmin", "POST", `/api/superadmin/instances/${manualId}/upgrades`, { targetVersion: "1.2.0", rollbackPlan: "Runbook rollback." });
      expect(req.status, req.text).toBe(201);
      expect((req.json as { upgrade: { status: string } }).upgrade.status).toBe("pending_approval");
      await read((t) => t.includes("event: change"), 10_000);
      expect(text).toContain("event: change");
      // Nothing but a tick: the page refetches what the viewer may see.
      expect(text).not.toContain(manualId);
    } finally {
      ctrl.abort();
    }
  });
});
