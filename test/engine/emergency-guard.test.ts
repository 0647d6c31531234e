// The emergency rollback undoes the latest upgrade, once. Pressed again it answers 409 instead of
// walking back to the upgrade before and restoring its older backup; that older backup is only
// restored on an explicit request, and the audit entry records its age.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { api } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { startWorker, type WorkerHandle } from "@/test/support/worker";
import { createTestInstance, FULL_CHECKLIST, instanceVersion, readItems, stopTestInstance, waitForRun, writeItem, type TestInstance } from "@/test/support/instances";

vi.setConfig({ testTimeout: 240_000 });

let worker: WorkerHandle;
let inst: TestInstance;

beforeAll(() => {
  worker = startWorker();
});

afterAll(async () => {
  await worker.stop();
  if (inst) await stopTestInstance(inst).catch(() => undefined);
});

async function upgrade(to: string): Promise<string> {
  const res = await api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/upgrades`, { targetVersion: to, checklist: FULL_CHECKLIST, rollbackPlan: "Runbook rollback." });
  expect(res.status, res.text).toBe(201);
  const id = (res.json as { upgrade: { id: string } }).upgrade.id;
  const run = await waitForRun(id);
  expect(run.status, JSON.stringify(run.steps.map((s) => [s.key, s.status, s.error]))).toBe("monitoring");
  return id;
}

async function emergency(body?: unknown) {
  return api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/rollback/emergency`, body);
}

async function finishMonitoring(runId: string): Promise<void> {
  await testDb().upgradeRun.update({ where: { id: runId }, data: { monitoringUntil: new Date() } });
  await waitForRun(runId, (s) => s === "succeeded");
}

describe("emergency rollback", () => {
  it("undoes the latest upgrade once, and then refuses to walk back to an older backup", async () => {
    inst = await createTestInstance("1.0.0");
    const first = await upgrade("1.1.0");
    await finishMonitoring(first);
    await writeItem(inst, "written on 1.1.0");
    const second = await upgrade("1.2.0");

    const res = await emergency({ reason: "Errors after 1.2.0" });
    expect(res.status, res.text).toBe(202);
    const rb = await waitForRun((res.json as { rollback: { id: string } }).rollback.id, (s) => ["succeeded", "failed"].includes(s));
    expect(rb.status).toBe("succeeded");
    expect(await instanceVersion(inst)).toBe("1.1.0");
    // The monitoring step the emergency took over from ends as interrupted, not running forever.
    const replaced = await testDb().upgradeStep.findFirstOrThrow({ where: { runId: second, key: "monitor" } });
    expect(replaced.status).toBe("interrupted");
    expect((await testDb().upgradeRun.findUniqueOrThrow({ where: { id: second } })).status).toBe("rolled_back");

    await writeItem(inst, "written after the rollback");
    // Pressed again: the latest upgrade is already undone. 409, nothing started, and the older
    // backup (taken before 1.1.0) is offered with its age, not restored.
    const again = await emergency({ reason: "Pressed twice" });
    expect(again.status, again.text).toBe(409);
    const err = (again.json as { error: { message: string; details: { olderBackups: { backupId: string; ageSeconds: number; from: string; to: string }[] } } }).error;
    expect(err.message).toMatch(/already been rolled back/);
    expect(err.details.olderBackups[0]).toMatchObject({ from: "1.0.0", to: "1.1.0" });
    expect(err.details.olderBackups[0]?.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(await testDb().upgradeRun.count({ where: { instanceId: inst.id, kind: "emergency_rollback" } })).toBe(1);
    expect(await readItems(inst)).toContain("written after the rollback");

    // Without the acknowledgement the explicit choice is refused; with it, it runs and is audited.
    const backupId = err.details.olderBackups[0]!.backupId;
    const unacknowledged = await emergency({ olderBackup: { backupId } });
    expect(unacknowledged.status).toBe(422);
    const chosen = await emergency({ reason: "Back to 1.0.0 on purpose", olderBackup: { backupId, acknowledgeDataLoss: true } });
    expect(chosen.status, chosen.text).toBe(202);
    const rb2 = await waitForRun((chosen.json as { rollback: { id: string } }).rollback.id, (s) => ["succeeded", "failed"].includes(s));
    expect(rb2.status).toBe("succeeded");
    expect(await instanceVersion(inst)).toBe("1.0.0");
    const audit = await testDb().auditLog.findFirstOrThrow({ where: { action: "instance.upgrade.rollback.emergency.request", resourceId: inst.id }, orderBy: { id: "desc" } });
    expect(audit.metadata).toMatchObject({ backupId, olderBackupChosen: true });
    expect((audit.metadata as { backupAgeSeconds: number }).backupAgeSeconds).toBeGreaterThanOrEqual(0);
  });
});
