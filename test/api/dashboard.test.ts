// The dashboard's fleet counts (grouped, not loaded row by row) and the indexes its rates use,
// against the suite's database.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { testDb } from "@/test/support/db";
import { actorFor } from "@/test/support/actors";
import { summarizeInstances } from "@/lib/instances/summarize-instances";
import { countUpgrades } from "@/lib/upgrades/count-upgrades";
import { compareVersions } from "@/lib/versions";

const tag = randomBytes(4).toString("hex");
const prefix = `dash-${tag}-`;

describe("the dashboard", () => {
  it("counts the fleet by version and status from grouped rows", async () => {
    const version = `9.${parseInt(tag.slice(0, 4), 16)}.0`;
    await testDb().instance.createMany({
      data: [0, 1, 2].map((i) => ({ name: `${prefix}v${i}`, url: "http://127.0.0.1:1", version, maintenanceMode: i > 0, status: i === 2 ? ("maintenance" as const) : ("active" as const) })),
    });
    const s = await summarizeInstances({ actor: await actorFor("viewer") });
    expect(s.byVersion.find((v) => v.version === version)?.count).toBe(3);
    expect(s.byVersion.map((v) => v.version)).toEqual([...s.byVersion.map((v) => v.version)].sort((a, b) => compareVersions(b, a)));
    expect(s.total).toBe(await testDb().instance.count());
    expect(s.inMaintenance).toBe(await testDb().instance.count({ where: { maintenanceMode: true } }));
    expect(s.byStatus.reduce((n, x) => n + x.count, 0)).toBe(s.total);
    expect(s.byStatus.find((x) => x.status === "maintenance")?.count).toBe(await testDb().instance.count({ where: { status: "maintenance" } }));
    await expect(summarizeInstances({ actor: null })).rejects.toMatchObject({ code: "unauthorized" });
  });

  it("counts runs by status past any list's limit", async () => {
    const inst = await testDb().instance.create({ data: { name: `${prefix}runs`, url: "http://127.0.0.1:1", version: "1.0.0" } });
    const before = await countUpgrades({ actor: await actorFor("viewer"), status: ["rejected"] });
    await testDb().upgradeRun.createMany({ data: Array.from({ length: 120 }, () => ({ instanceId: inst.id, fromVersion: "1.0.0", toVersion: "1.1.0", status: "rejected" as const, trigger: "manual" as const })) });
    expect(await countUpgrades({ actor: await actorFor("viewer"), status: ["rejected"] })).toBe(before + 120);
    expect(await countUpgrades({ actor: await actorFor("viewer"), status: ["rejected", "cancelled"] })).toBe(await testDb().upgradeRun.count({ where: { status: { in: ["rejected", "cancelled"] } } }));
  });

  it("has the indexes its rates need: runs by finish time, and the rollbacks of a run", async () => {
    const rows = await testDb().$queryRaw<{ indexdef: string }[]>`SELECT indexdef FROM pg_indexes WHERE tablename = 'upgrade_runs'`;
    const defs = rows.map((r) => r.indexdef);
    expect(defs).toContainEqual(expect.stringMatching(/USING btree \(finished_at\)$/));
    expect(defs).toContainEqual(expect.stringMatching(/USING btree \(parent_run_id\)$/));
  });
});
