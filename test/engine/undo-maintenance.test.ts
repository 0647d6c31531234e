// A failure before `migrate` while the instance does not answer: the undo of maintenance mode is
// retried with backoff; when it still fails the instance is marked as needing attention, and the
// console's maintenance switch (which drives the platform itself) repairs it.
// The release under test has a bundle that is a FIFO, so the test decides exactly when
// pull_artifacts fails (checksum mismatch): after it has taken the instance's app down.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { api } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { startWorker, type WorkerHandle } from "@/test/support/worker";
import { waitUntil } from "@/test/support/wait";
import { createTestInstance, FULL_CHECKLIST, stopTestInstance, waitForRun, type TestInstance } from "@/test/support/instances";
import { loadRuntime, releaseArtifacts } from "@/lib/runtime/load-runtime";
import { getActiveJobs, getHealth } from "@/lib/runtime/platform-client";

vi.setConfig({ testTimeout: 150_000 });

const dir = mkdtempSync(path.join(tmpdir(), "undo-"));
const version = `1.1.2-test.${randomBytes(3).toString("hex")}`;
const fifo = path.join(dir, "bundle.tar.gz");
let worker: WorkerHandle;
const instances: TestInstance[] = [];

beforeAll(async () => {
  execFileSync("mkfifo", [fifo]);
  await testDb().release.create({
    data: { version, status: "beta", releasedAt: new Date(), changelog: "- a build whose bundle never verifies", schemaVersion: "0002", artifacts: { create: { kind: "bundle", reference: fifo, sha256: "0".repeat(64) } } },
  });
  worker = startWorker();
});

afterAll(async () => {
  await worker.stop();
  for (const i of instances) await stopTestInstance(i).catch(() => undefined);
  await testDb().release.deleteMany({ where: { version } });
  rmSync(dir, { recursive: true, force: true });
});

async function runtimeOf(i: TestInstance) {
  return loadRuntime(await testDb().instance.findUniqueOrThrow({ where: { id: i.id }, include: { host: true } }));
}

/** Starts an upgrade to the FIFO release, waits for pull_artifacts, kills the app, lets the pull fail. */
async function failWhileDown(): Promise<{ i: TestInstance; runId: string }> {
  const i = await createTestInstance("1.0.0");
  instances.push(i);
  const res = await api("superadmin", "POST", `/api/superadmin/instances/${i.id}/upgrades`, { targetVersion: version, checklist: FULL_CHECKLIST, rollbackPlan: "Runbook rollback." });
  expect(res.status, res.text).toBe(201);
  const runId = (res.json as { upgrade: { id: string } }).upgrade.id;
  await waitUntil("pull_artifacts to start", () => testDb().upgradeStep.findFirst({ where: { runId, key: "pull_artifacts", status: "running" } }), 90_000, 100);
  const { runtime } = await runtimeOf(i);
  const app = (JSON.parse(readFileSync(path.join(runtime.workDir, "app.pid.json"), "utf8")) as { pid: number }).pid;
  process.kill(-app, "SIGKILL");
  writeFileSync(fifo, "not a bundle");
  return { i, runId };
}

async function restartOldVersion(i: TestInstance): Promise<void> {
  const loaded = await runtimeOf(i);
  const release = await testDb().release.findUniqueOrThrow({ where: { type_version: { type: "platform", version: "1.0.0" } }, include: { artifacts: true } });
  await loaded.driver.deploy(loaded.runtime, releaseArtifacts(release), () => undefined);
  await waitUntil("the app to answer", () => getHealth(loaded.baseUrl).catch(() => null), 30_000, 200);
}

describe("leaving maintenance after a failure before migrate", () => {
  it("retries the undo with backoff until the instance answers again", async () => {
    const { i, runId } = await failWhileDown();
    await waitUntil("a failed undo attempt", () => testDb().runEvent.findFirst({ where: { runId, message: { startsWith: "Could not leave maintenance mode (attempt 1)" } } }), 30_000, 100);
    await restartOldVersion(i);
    const run = await waitForRun(runId);
    expect(run.status).toBe("failed");
    expect(run.steps.find((s) => s.key === "pull_artifacts")).toMatchObject({ status: "failed", errorCode: "checksum_mismatch" });
    const loaded = await runtimeOf(i);
    expect((await getHealth(loaded.baseUrl)).maintenance?.enabled).toBe(false);
    expect((await getActiveJobs(loaded.baseUrl)).paused).toBe(false);
    const got = await api("viewer", "GET", `/api/superadmin/instances/${i.id}`);
    expect(got.json).toMatchObject({ status: "active", maintenanceMode: false, attention: null });
  });

  it("marks the instance as needing attention when the instance stays away, and the maintenance switch repairs it", async () => {
    const { i, runId } = await failWhileDown();
    const run = await waitForRun(runId, undefined, 60_000);
    expect(run.status).toBe("failed");
    const got = await api("viewer", "GET", `/api/superadmin/instances/${i.id}`);
    expect(got.json).toMatchObject({ status: "maintenance", maintenanceMode: true, attention: { reason: expect.stringContaining("could not take the instance out of maintenance mode") } });

    // While it is still down, the switch says so (and records the attempt) instead of pretending.
    const refused = await api("superadmin", "POST", `/api/superadmin/instances/${i.id}/maintenance`, { enabled: false });
    expect(refused.status, refused.text).toBe(503);
    expect(await testDb().auditLog.findFirst({ where: { action: "instance.maintenance.disable", resourceId: i.id, result: "failure" } })).not.toBeNull();

    // Back up (still showing its maintenance page: the flag lives in its database), then repaired.
    await restartOldVersion(i);
    const loaded = await runtimeOf(i);
    expect((await getHealth(loaded.baseUrl)).maintenance?.enabled).toBe(true);
    const off = await api("superadmin", "POST", `/api/superadmin/instances/${i.id}/maintenance`, { enabled: false });
    expect(off.status, off.text).toBe(200);
    expect(off.json).toMatchObject({ status: "active", maintenanceMode: false, attention: null });
    expect((await getHealth(loaded.baseUrl)).maintenance?.enabled).toBe(false);
    expect((await getActiveJobs(loaded.baseUrl)).paused).toBe(false);
  });
});
