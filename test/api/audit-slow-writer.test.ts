// A slow transaction that has written an audit entry must not hold up, let alone fail, the audited
// requests that arrive meanwhile: the chain is linked at COMMIT, not when the entry is written.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { api } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { getDb } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record-audit";
import { verifyAuditChain } from "@/lib/audit/verify-audit-chain";

const system = { type: "system" as const, label: "slow writer test" };

describe("a slow audited transaction", () => {
  afterAll(async () => {
    await getDb().$disconnect();
  });

  it("neither fails nor blocks an audited REST mutation made meanwhile", async () => {
    const instance = await testDb().instance.create({
      data: { name: `slow-${randomBytes(4).toString("hex")}`, url: "http://127.0.0.1:1", version: "1.1.0", updateChannel: "manual_approval" },
    });
    let slowDone = false;
    // Through the app's own client and its default transaction options.
    const slow = getDb()
      .$transaction(async (tx) => {
        const entry = await recordAudit(tx, system, { action: "test.slow_writer", resourceType: "test" });
        await tx.$executeRaw`SELECT pg_sleep(8)`;
        return entry;
      })
      .finally(() => {
        slowDone = true;
      });
    await new Promise((r) => setTimeout(r, 500));

    const res = await api("superadmin", "POST", `/api/superadmin/instances/${instance.id}/upgrades`, { targetVersion: "1.2.0", rollbackPlan: "Runbook rollback." });
    expect(res.status, res.text).toBe(201);
    // It committed while the slow transaction was still asleep.
    expect(slowDone).toBe(false);

    const entry = await slow;
    const slowRow = await testDb().auditLog.findUniqueOrThrow({ where: { id: entry.id } });
    const postRow = await testDb().auditLog.findFirstOrThrow({ where: { resourceId: instance.id, action: { startsWith: "instance.upgrade" } }, orderBy: { id: "desc" } });
    // The chain is in commit order: the request's entry comes first although it was written later.
    expect(postRow.id > slowRow.id).toBe(true);
    expect(postRow.seq! < slowRow.seq!).toBe(true);
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  }, 30_000);
});
