// applyInstanceChange against the real table: each named change writes what the lifecycle says,
// a change with `from` moves the status only from those statuses (its other fields regardless),
// and a change that sets the version refuses to go without one.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { testDb } from "@/test/support/db";
import { getDb } from "@/lib/db";
import { applyInstanceChange, type InstanceChangeDetails } from "@/lib/instances/apply-instance-change";
import type { InstanceChangeName } from "@/lib/upgrades/lifecycle";
import type { InstanceStatus } from "@/generated/prisma/enums";

afterAll(async () => {
  await getDb().$disconnect();
});

async function instanceIn(status: InstanceStatus, extra: { maintenanceMode?: boolean; maintenanceMessage?: string | null; attentionReason?: string | null } = {}) {
  return testDb().instance.create({ data: { name: `change-${randomBytes(4).toString("hex")}`, url: "http://127.0.0.1:1", version: "1.0.0", status, ...extra, ...(extra.attentionReason ? { attentionAt: new Date() } : {}) } });
}

async function apply(id: string, name: InstanceChangeName, details?: InstanceChangeDetails) {
  await getDb().$transaction((tx) => applyInstanceChange(tx, id, name, details));
  return testDb().instance.findUniqueOrThrow({ where: { id } });
}

describe("applyInstanceChange", () => {
  it("an upgrade enters maintenance with its message, and leaves it at its new version", async () => {
    const i = await instanceIn("upgrading");
    expect(await apply(i.id, "upgrade_enters_maintenance", { maintenanceMessage: "Upgrading" })).toMatchObject({ status: "upgrading", maintenanceMode: true, maintenanceMessage: "Upgrading" });
    expect(await apply(i.id, "leaves_maintenance", { version: "1.1.0" })).toMatchObject({ status: "active", maintenanceMode: false, maintenanceMessage: null, version: "1.1.0" });
  });

  it("a run that succeeded clears the attention flag; one that failed leaves it", async () => {
    const i = await instanceIn("rolling_back", { attentionReason: "needs a look" });
    expect(await apply(i.id, "run_failed")).toMatchObject({ status: "failed", attentionReason: "needs a look" });
    expect(await apply(i.id, "run_succeeded", { version: "1.0.1" })).toMatchObject({ status: "active", version: "1.0.1", attentionReason: null, attentionAt: null });
  });

  it("with `from`, the status moves only from those statuses, and the other fields are written anyway", async () => {
    const busy = await instanceIn("upgrading", { maintenanceMode: true, maintenanceMessage: "x", attentionReason: "old" });
    expect(await apply(busy.id, "operator_maintenance_off", { maintenanceMessage: null })).toMatchObject({ status: "upgrading", maintenanceMode: false, maintenanceMessage: null, attentionReason: null });
    const held = await instanceIn("maintenance", { maintenanceMode: true, maintenanceMessage: "x" });
    expect(await apply(held.id, "operator_maintenance_off")).toMatchObject({ status: "active", maintenanceMode: false });
    const upgrading = await instanceIn("failed");
    expect(await apply(upgrading.id, "upgrade_begins")).toMatchObject({ status: "failed" });
  });

  it("an undo that did not go through leaves the reason, and maintenance on only where it had started", async () => {
    const a = await instanceIn("upgrading", { maintenanceMode: true, maintenanceMessage: "kept" });
    expect(await apply(a.id, "left_in_maintenance", { attentionReason: "undo failed" })).toMatchObject({ status: "maintenance", maintenanceMode: true, maintenanceMessage: "kept", attentionReason: "undo failed" });
    const b = await instanceIn("upgrading");
    expect(await apply(b.id, "left_active", { attentionReason: "undo failed" })).toMatchObject({ status: "active", maintenanceMode: false, attentionReason: "undo failed" });
  });

  it("refuses a change that sets the version without one, writing nothing", async () => {
    const i = await instanceIn("upgrading");
    await expect(apply(i.id, "leaves_maintenance")).rejects.toThrow(/needs the version/);
    expect(await testDb().instance.findUniqueOrThrow({ where: { id: i.id } })).toMatchObject({ status: "upgrading", version: "1.0.0" });
  });
});
