// A cancel accepted (202) just before `migrate` must stop the run: the step-start transaction
// re-reads the cancel flag under the run's row lock. Driven in-process against a real run, with
// the interleaving made exact: the engine holds the run as it read it before the cancel committed.
import { afterAll, describe, expect, it, vi } from "vitest";
import { api } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { createTestInstance, FULL_CHECKLIST, stopTestInstance, type TestInstance } from "@/test/support/instances";
import { beginStep, loadRun } from "@/lib/upgrades/engine/execute-run";
import { finishStep } from "@/lib/upgrades/engine/step-writes";
import { claimLease, releaseLease } from "@/lib/upgrades/engine/fencing";
import { endBeforeMigrate } from "@/lib/upgrades/engine/transitions";

vi.setConfig({ testTimeout: 60_000 });

let inst: TestInstance | undefined;

afterAll(async () => {
  if (inst) await stopTestInstance(inst).catch(() => undefined);
});

describe("cancel just before migrate", () => {
  it("a cancel that commits after the engine last looked still stops the run before migrate", async () => {
    inst = await createTestInstance("1.0.0");
    // No worker runs in this file: the run waits for the engine driven below.
    const res = await api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/upgrades`, { targetVersion: "1.1.0", checklist: FULL_CHECKLIST, rollbackPlan: "Runbook rollback." });
    expect(res.status, res.text).toBe(201);
    const runId = (res.json as { upgrade: { id: string } }).upgrade.id;
    // Steps 1 to 5 done, as if a worker had run them: next is the point of no return.
    const before = ["preparation", "backup", "pre_checks", "maintenance_on", "pull_artifacts"];
    await testDb().upgradeStep.updateMany({ where: { runId, key: { in: before } }, data: { status: "succeeded", finishedAt: new Date() } });
    const lease = await claimLease(runId, "test-engine#1");
    expect(lease).not.toBeNull();
    const stale = await loadRun(runId);
    expect(stale?.cancelRequestedAt).toBeNull();

    // The operator's cancel commits now, between the engine's read and its step start.
    const cancel = await api("superadmin", "POST", `/api/superadmin/upgrades/${runId}/cancel`);
    expect(cancel.status, cancel.text).toBe(202);

    const migrate = stale!.steps.find((s) => s.key === "migrate")!;
    expect(await beginStep(lease!, stale!, migrate)).toBe("cancel");
    const step = await testDb().upgradeStep.findUniqueOrThrow({ where: { id: migrate.id } });
    expect(step.status).toBe("pending");
    expect(step.attempts).toBe(0);

    // The engine's cancel path ends it; nothing past the point of no return ever ran.
    await endBeforeMigrate(stale!, "cancelled", null);
    await releaseLease(lease!);
    const run = await testDb().upgradeRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("cancelled");
  });
  it("a cancel pending when the step before migrate ends keeps migrate from starting in the same transaction", async () => {
    inst ??= await createTestInstance("1.0.0");
    const res = await api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/upgrades`, { targetVersion: "1.1.0", checklist: FULL_CHECKLIST, rollbackPlan: "Runbook rollback." });
    expect(res.status, res.text).toBe(201);
    const runId = (res.json as { upgrade: { id: string } }).upgrade.id;
    const done = ["preparation", "backup", "pre_checks", "maintenance_on"];
    await testDb().upgradeStep.updateMany({ where: { runId, key: { in: done } }, data: { status: "succeeded", finishedAt: new Date() } });
    await testDb().upgradeStep.updateMany({ where: { runId, key: "pull_artifacts" }, data: { status: "running", attempts: 1, startedAt: new Date() } });
    const lease = await claimLease(runId, "test-engine#2");
    expect(lease).not.toBeNull();
    // The engine read the run before the cancel; it ends pull_artifacts and would start migrate.
    const stale = (await loadRun(runId))!;
    const cancel = await api("superadmin", "POST", `/api/superadmin/upgrades/${runId}/cancel`);
    expect(cancel.status, cancel.text).toBe(202);

    const pull = stale.steps.find((s) => s.key === "pull_artifacts")!;
    const migrate = stale.steps.find((s) => s.key === "migrate")!;
    expect(await finishStep(lease!, stale, pull, { verified: "x" }, [], migrate)).toBe(false);
    expect(stale.cancelRequestedAt).not.toBeNull();
    const rows = await testDb().upgradeStep.findMany({ where: { runId, key: { in: ["pull_artifacts", "migrate"] } }, orderBy: { position: "asc" } });
    expect(rows.map((s) => [s.key, s.status, s.attempts])).toEqual([["pull_artifacts", "succeeded", 1], ["migrate", "pending", 0]]);
    await endBeforeMigrate(stale, "cancelled", null);
    await releaseLease(lease!);
    expect((await testDb().upgradeRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("cancelled");
  });
});
