// Fencing of the drivers' side effects: a worker paused (SIGSTOP) inside `deploy` past its lease,
// woken after another worker finished the run, must not touch the instance the other one deployed.
// Real worker processes, real platform processes; the old app stops slowly (SLOW_STOP_SECONDS) so
// the paused worker is caught while it waits for the old version to stop.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { api } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { startWorker, type WorkerHandle } from "@/test/support/worker";
import { waitUntil } from "@/test/support/wait";
import { createTestInstance, FULL_CHECKLIST, instanceVersion, stopTestInstance, waitForRun, type TestInstance } from "@/test/support/instances";
import { loadRuntime } from "@/lib/runtime/load-runtime";
import { writeSnapshot } from "@/lib/upgrades/engine/config-snapshots";

vi.setConfig({ testTimeout: 150_000 });

const workers: WorkerHandle[] = [];
let inst: TestInstance | undefined;

afterAll(async () => {
  for (const w of workers) {
    try {
      process.kill(w.pid, "SIGCONT");
    } catch {
      // already gone
    }
    await w.kill();
  }
  if (inst) await stopTestInstance(inst).catch(() => undefined);
});

function pidOf(workDir: string, c: "app" | "worker"): number {
  return (JSON.parse(readFileSync(path.join(workDir, `${c}.pid.json`), "utf8")) as { pid: number }).pid;
}

describe("fencing", () => {
  it("a worker woken after its lease lapsed leaves the new deployment alone", async () => {
    inst = await createTestInstance("1.0.0");
    const row = await testDb().instance.findUniqueOrThrow({ where: { id: inst.id }, include: { host: true } });
    const { runtime } = await loadRuntime(row);
    // The running 1.0.0 app lingers 6 s after SIGTERM (reloaded with SIGHUP, as step 7 does).
    await writeSnapshot(inst.id, runtime.configFile, { DB_POOL_SIZE: 5, SLOW_STOP_SECONDS: 6 }, "1.0.0");
    process.kill(pidOf(runtime.workDir, "app"), "SIGHUP");

    const first = startWorker();
    workers.push(first);
    const res = await api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/upgrades`, { targetVersion: "1.1.0", checklist: FULL_CHECKLIST, rollbackPlan: "Runbook rollback." });
    expect(res.status, res.text).toBe(201);
    const runId = (res.json as { upgrade: { id: string } }).upgrade.id;

    // Caught while it waits for the old app to stop: pause it past its lease.
    const owner = await waitUntil(
      "the deploy step stopping the old app",
      async () => {
        const ev = await testDb().runEvent.findFirst({ where: { runId, message: { startsWith: "Stopping app 1.0.0" } } });
        if (!ev) return null;
        return (await testDb().upgradeRun.findUniqueOrThrow({ where: { id: runId } })).leaseOwner;
      },
      90_000,
      50,
    );
    const pausedPid = Number(owner.split(":")[1]);
    expect(pausedPid).toBe(first.pid);
    process.kill(pausedPid, "SIGSTOP");

    // Another worker takes the run over once the lease lapses, and finishes it.
    const second = startWorker();
    workers.push(second);
    const run = await waitForRun(runId, (s) => s === "monitoring" || ["failed", "rolled_back", "succeeded"].includes(s), 90_000);
    expect(run.status, JSON.stringify(run.steps.map((s) => [s.key, s.status, s.error]))).toBe("monitoring");
    const deployed = { app: pidOf(runtime.workDir, "app"), worker: pidOf(runtime.workDir, "worker") };

    // Wake the paused worker; give it time to do whatever it would still do.
    process.kill(pausedPid, "SIGCONT");
    await new Promise((r) => setTimeout(r, 5000));

    const after = await loadRuntime(await testDb().instance.findUniqueOrThrow({ where: { id: inst.id }, include: { host: true } }));
    const status = await after.driver.status(after.runtime);
    expect(status).toMatchObject({ app: { running: true, version: "1.1.0" }, worker: { running: true, version: "1.1.0" } });
    expect({ app: pidOf(runtime.workDir, "app"), worker: pidOf(runtime.workDir, "worker") }).toEqual(deployed);
    for (const pid of Object.values(deployed)) expect(() => process.kill(pid, 0)).not.toThrow();
    expect(await instanceVersion(inst)).toBe("1.1.0");
    // Its log lines are fenced too: nothing it said after waking reached the run's log.
    const stale = await testDb().runEvent.findMany({ where: { runId, message: { startsWith: "Stopping worker 1.1.0" } } });
    expect(stale).toEqual([]);
  });
});
