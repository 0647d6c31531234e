// The whole engine on the docker driver: a real Podman engine (Docker Engine API), images pulled
// from a local registry by digest, migrations in one-off containers, driven through the REST API.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import Docker from "dockerode";
import { api } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { startWorker, type WorkerHandle } from "@/test/support/worker";
import { FULL_CHECKLIST, instanceVersion, readItems, waitForRun, writeItem, type TestInstance } from "@/test/support/instances";
import { ensureNodeBaseImage, startPodman, type PodmanEngine } from "@/scripts/lib/podman";
import { buildPlatformImages } from "@/scripts/lib/platform-images";
import { freePort } from "@/scripts/lib/local-postgres";
import { provisionProcessInstance } from "@/lib/instances/provision-instance";
import { loadRuntime } from "@/lib/runtime/load-runtime";

vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

let engine: PodmanEngine | undefined;
let worker: WorkerHandle | undefined;
let inst: TestInstance;
const tmp = mkdtempSync(path.join(tmpdir(), "ww-engine-docker-"));

beforeAll(async () => {
  const releasesDir = process.env.TEST_RELEASES_DIR;
  if (!releasesDir) throw new Error("TEST_RELEASES_DIR is not set: run through `npm test`.");
  // No skip when the engine is missing: startPodman throws a message naming what to install.
  engine = await startPodman({ dir: path.join(tmp, "engine") });
  const docker = new Docker(engine.dockerOptions);
  await ensureNodeBaseImage(docker);
  const images = await buildPlatformImages({ docker, registry: engine.registry, bundlesDir: releasesDir, versions: ["1.0.0", "1.1.0"] });
  const db = testDb();
  for (const [version, img] of Object.entries(images)) {
    const release = await db.release.findUniqueOrThrow({ where: { type_version: { type: "platform", version } } });
    for (const [kind, ref] of [["app_image", img.appImage], ["worker_image", img.workerImage]] as const) {
      await db.releaseArtifact.upsert({ where: { releaseId_kind: { releaseId: release.id, kind } }, create: { releaseId: release.id, kind, reference: ref.reference, digest: ref.digest }, update: { reference: ref.reference, digest: ref.digest } });
    }
  }
  const row = await db.instance.create({ data: { name: `docker-${Date.now()}`, url: "http://127.0.0.1:1", version: "1.0.0", updateChannel: "auto_update" } });
  await provisionProcessInstance({ instanceId: row.id, adminDatabaseUrl: process.env.TEST_ADMIN_DATABASE_URL ?? "", port: await freePort(), docker: { type: "socket", socketPath: engine.socketPath } });
  const fresh = await db.instance.findUniqueOrThrow({ where: { id: row.id }, include: { host: true } });
  const loaded = await loadRuntime(fresh);
  inst = { id: row.id, name: row.name, url: fresh.url, adminToken: loaded.runtime.adminToken, databaseUrl: loaded.runtime.databaseUrl };
  worker = startWorker();
});

afterAll(async () => {
  await worker?.stop();
  if (inst) {
    const fresh = await testDb().instance.findUnique({ where: { id: inst.id }, include: { host: true } });
    if (fresh) {
      const loaded = await loadRuntime(fresh);
      await loaded.driver.stop(loaded.runtime, () => undefined).catch(() => undefined);
    }
  }
  await engine?.stop();
  // The engine's last writes under `tmp` can land just after it stopped: retry a non-empty folder.
  rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

describe("the engine on the docker driver (Podman)", () => {
  it("upgrades 1.0.0 → 1.1.0 in containers, keeping the data", async () => {
    expect(await instanceVersion(inst)).toBe("1.0.0");
    await writeItem(inst, "before, in a container");
    const res = await api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/upgrades`, { targetVersion: "1.1.0", checklist: FULL_CHECKLIST, rollbackPlan: "Runbook rollback." });
    expect(res.status, res.text).toBe(201);
    const id = (res.json as { upgrade: { id: string } }).upgrade.id;
    const run = await waitForRun(id, undefined, 150_000);
    expect(run.status, JSON.stringify(run.steps.map((s) => [s.key, s.status, s.error]))).toBe("monitoring");
    expect(await instanceVersion(inst)).toBe("1.1.0");
    expect(await readItems(inst)).toContain("before, in a container");
    const docker = new Docker(engine?.dockerOptions);
    for (const name of [`webwaka-app-${inst.id}`, `webwaka-worker-${inst.id}`]) {
      const info = await docker.getContainer(name).inspect();
      expect(info.State.Running, name).toBe(true);
      expect(info.Config.Labels["webwaka.version"]).toBe("1.1.0");
    }
    const pull = run.steps.find((s) => s.key === "pull_artifacts");
    expect((pull?.result as { verified?: string } | null)?.verified).toMatch(/^sha256:[0-9a-f]{64}/);
  });

  it("emergency rollback restores the backup and runs 1.0.0 containers again", async () => {
    await writeItem(inst, "after the upgrade");
    const res = await api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/rollback/emergency`);
    expect(res.status, res.text).toBe(202);
    const rb = await waitForRun((res.json as { rollback: { id: string } }).rollback.id, undefined, 150_000);
    expect(rb.status, JSON.stringify(rb.steps.map((s) => [s.key, s.status, s.error]))).toBe("succeeded");
    expect(await instanceVersion(inst)).toBe("1.0.0");
    const items = await readItems(inst);
    expect(items).toContain("before, in a container");
    expect(items).not.toContain("after the upgrade");
  });
});
