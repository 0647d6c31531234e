import "server-only";
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { getDb } from "@/lib/db";
import { Prisma } from "@/generated/prisma/client";
import { getEnv } from "@/lib/env";
import { encryptSecret } from "@/lib/crypto";
import { recordAudit } from "@/lib/audit/record-audit";
import { loadRuntime, releaseArtifacts } from "@/lib/runtime/load-runtime";
import { getHealth } from "@/lib/runtime/platform-client";
import { writeSnapshot } from "@/lib/upgrades/engine/config-snapshots";
import type { RuntimeConfig } from "@/lib/runtime/load-runtime";
import type { DockerEndpoint, StepLog } from "@/lib/runtime/types";
import { applyInstanceChange } from "@/lib/instances/apply-instance-change";

async function createDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Unsafe database name ${name}`);
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const exists = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Gives an instance a real runtime: its own database on the server behind `adminDatabaseUrl`, a
 * folder, a port, an admin token and config version 1, then migrates and starts its current
 * version, with the process driver or, given an endpoint, the docker driver. Used for the demo
 * fleet and by the tests.
 */
export async function provisionProcessInstance(opts: { instanceId: string; adminDatabaseUrl: string; port: number; log?: StepLog; docker?: DockerEndpoint }): Promise<void> {
  const db = getDb();
  const log: StepLog = opts.log ?? (() => undefined);
  const instance = await db.instance.findUniqueOrThrow({ where: { id: opts.instanceId } });
  const dbName = `instance_${instance.id.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`.slice(0, 63);
  const databaseUrl = await createDatabase(opts.adminDatabaseUrl, dbName);
  const workDir = path.join(getEnv().STORAGE_DIR, "instances", instance.id);
  await mkdir(path.join(workDir, "assets"), { recursive: true });
  const config: RuntimeConfig = {
    port: opts.port,
    workDir,
    configFile: path.join(workDir, "config.json"),
    adminTokenEncrypted: encryptSecret(randomBytes(24).toString("base64url")),
    assetsDir: path.join(workDir, "assets"),
  };
  await db.$transaction(async (tx) => {
    const host = opts.docker
      ? await tx.host.create({ data: { name: `docker-${instance.id}`, driver: "docker", endpointEncrypted: encryptSecret(JSON.stringify(opts.docker)) } })
      : null;
    await tx.instance.update({ where: { id: instance.id }, data: { url: `http://127.0.0.1:${opts.port}`, runtimeConfig: config, databaseUrlEncrypted: encryptSecret(databaseUrl), hostId: host?.id ?? null } });
    await recordAudit(tx, { type: "system", label: "provisioning" }, { action: "instance.provision", resourceType: "instance", resourceId: instance.id, metadata: { name: instance.name, version: instance.version, driver: opts.docker ? "docker" : "process" } });
  });
  await writeSnapshot(instance.id, config.configFile, { DB_POOL_SIZE: 5 }, instance.version);
  const fresh = await db.instance.findUniqueOrThrow({ where: { id: instance.id }, include: { host: true } });
  const release = await db.release.findUniqueOrThrow({ where: { type_version: { type: "platform", version: instance.version } }, include: { artifacts: true } });
  const loaded = await loadRuntime(fresh);
  const artifacts = releaseArtifacts(release);
  await loaded.driver.pull(loaded.runtime, artifacts, log);
  await loaded.driver.migrate(loaded.runtime, artifacts, { direction: "up" }, log);
  await loaded.driver.deploy(loaded.runtime, artifacts, log);
  await waitForHealthy(loaded.baseUrl);
}

export async function waitForHealthy(baseUrl: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const h = await getHealth(baseUrl).catch(() => null);
    if (h?.httpStatus === 200 && h.status === "healthy") return;
    if (Date.now() > deadline) throw new Error(`${baseUrl} did not turn healthy within ${timeoutMs / 1000} s.`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

// The prefix of the attention reason a failed start-up leaves; a later successful start clears it.
export const STARTUP_ATTENTION = "The console could not start this instance when it started";

type FleetInstance = Prisma.InstanceGetPayload<{ include: { host: true; activeRun: { include: { steps: { select: { key: true; status: true } } } } } }>;

/**
 * The version an instance should be running when the console starts. Usually its own; while a
 * run is executing on it, what that run's progress implies, so the run can resume where it was:
 * before `migrate` the old version (the checks and maintenance steps talk to it), after its
 * redeploy the new one (validation and monitoring do). In between, and for a rollback before it
 * redeploys, nothing: the run's next steps start what they need.
 */
export function versionToStart(i: Pick<FleetInstance, "version" | "activeRun">): string | null {
  const run = i.activeRun;
  if (!run || (run.status !== "running" && run.status !== "rolling_back")) return i.version;
  const status = (key: string) => run.steps.find((s) => s.key === key)?.status;
  if (run.kind === "upgrade") {
    if (status("deploy") === "succeeded") return run.toVersion;
    return status("migrate") === "pending" ? run.fromVersion : null;
  }
  return status(run.kind === "rollback" ? "rb_deploy_previous" : "em_deploy_previous") === "succeeded" ? run.toVersion : null;
}

/**
 * After a console restart: start any provisioned process-driver instance that is not running. One
 * instance that cannot start (its port taken, its release missing) is marked as needing attention
 * with the reason, and the others start anyway: the console itself must come up to show it. An
 * instance whose run is executing gets the version that run's progress implies (versionToStart),
 * and its status stays the run's to set.
 */
export async function ensureFleetRunning(log: (line: string) => void): Promise<void> {
  const db = getDb();
  const instances = await db.instance.findMany({
    where: { runtimeConfig: { not: Prisma.DbNull }, hostId: null },
    include: { host: true, activeRun: { include: { steps: { select: { key: true, status: true } } } } },
  });
  for (const i of instances) {
    const executing = i.activeRun?.status === "running" || i.activeRun?.status === "rolling_back";
    try {
      const version = versionToStart(i);
      if (version === null) continue;
      const loaded = await loadRuntime(i);
      const s = await loaded.driver.status(loaded.runtime);
      if (!(s.app.running && s.worker.running && s.app.version === version)) {
        const release = await db.release.findUnique({ where: { type_version: { type: "platform", version } }, include: { artifacts: true } });
        if (!release) throw new Error(`its release ${version} is not in the release list`);
        log(`Starting ${i.name} (${version}${executing ? `, for its ${i.activeRun?.kind.replace("_", " ")} in progress` : ""})`);
        const artifacts = releaseArtifacts(release);
        await loaded.driver.pull(loaded.runtime, artifacts, () => undefined);
        await loaded.driver.deploy(loaded.runtime, artifacts, () => undefined);
      }
      if (i.attentionReason?.startsWith(STARTUP_ATTENTION)) {
        await db.$transaction((tx) => applyInstanceChange(tx, i.id, "start_up_restored"));
      }
    } catch (e) {
      const reason = `${STARTUP_ATTENTION}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`;
      log(`${i.name} did not start: ${reason}`);
      await db.$transaction(async (tx) => {
        // An instance whose run is under way keeps the status that run gave it.
        if (executing) await tx.instance.update({ where: { id: i.id }, data: { attentionReason: reason, attentionAt: new Date() } });
        else await applyInstanceChange(tx, i.id, "start_up_failed", { attentionReason: reason });
        await recordAudit(tx, { type: "system", label: "start-up" }, { action: "instance.start", resourceType: "instance", resourceId: i.id, result: "failure", metadata: { name: i.name, reason } });
      });
    }
  }
}

/** A clean stop of `npm start` stops the demo fleet it started. */
export async function stopFleet(log: (line: string) => void): Promise<void> {
  const db = getDb();
  const instances = await db.instance.findMany({ where: { runtimeConfig: { not: Prisma.DbNull }, hostId: null }, include: { host: true } });
  for (const i of instances) {
    const loaded = await loadRuntime(i);
    await loaded.driver.stop(loaded.runtime, () => undefined);
    log(`Stopped ${i.name}`);
  }
}
