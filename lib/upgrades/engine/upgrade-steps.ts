import "server-only";
import { statfs } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import pg from "pg";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { compareVersions } from "@/lib/versions";
import { performBackup } from "@/lib/backups/perform-backup";
import { enterPlatformMaintenance, getActiveJobs, getHealth, getRequestCounts, getVersion, leavePlatformMaintenance, pauseJobs, resumeJobs, runSmokeTest } from "@/lib/runtime/platform-client";
import { applyRequirements, latestSnapshot, writeSnapshot, type ConfigValues } from "@/lib/upgrades/engine/config-snapshots";
import { tickBySystem } from "@/lib/upgrades/engine/checklist-gate";
import { fence, sleep, StepError, withInstanceChange, type StepContext, type StepOutcome } from "@/lib/upgrades/engine/context";
import type { UpgradeStepKey } from "@/lib/upgrades/runbook";

const MIN_FREE_BYTES = 200 * 1024 * 1024;

async function withInstanceDb<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function currentSchemaVersion(url: string): Promise<string | null> {
  return withInstanceDb(url, async (c) => {
    const t = await c.query("SELECT to_regclass('public.schema_migrations') AS t");
    if (!t.rows[0]?.t) return null;
    const r = await c.query<{ v: string | null }>("SELECT max(version) AS v FROM schema_migrations");
    return r.rows[0]?.v ?? null;
  });
}

/** Polls health until it is healthy (and, optionally, reports `version`). */
export async function waitHealthy(ctx: Pick<StepContext, "loaded" | "log" | "signal">, opts: { version?: string; timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? getEnv().HEALTH_TIMEOUT_SECONDS * 1000;
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  // A new deployment usually answers within a second or two: look every 100 ms for its first
  // two seconds, then less and less often (up to every second), so a quick start is not waited
  // for and a slow one is not hammered.
  let delayMs = 100;
  let tries = 0;
  while (Date.now() < deadline) {
    try {
      const h = await getHealth(ctx.loaded.baseUrl);
      last = `HTTP ${h.httpStatus}, status ${h.status}, version ${h.version ?? "?"}`;
      if (h.httpStatus === 200 && h.status === "healthy" && (!opts.version || h.version === opts.version)) {
        ctx.log("info", `Health: ${last}`);
        return;
      }
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await sleep(delayMs, ctx.signal);
    if (++tries >= 20) delayMs = Math.min(delayMs * 2, 1000);
  }
  const logs = await ctx.loaded.driver.logs(ctx.loaded.runtime, "app", 8).catch(() => "");
  throw new StepError("health_check_failed", `Not healthy within ${Math.round(timeoutMs / 1000)} s (${last}).${logs ? `\nApp log:\n${logs}` : ""}`);
}

export const UPGRADE_STEP_FNS: Record<UpgradeStepKey, (ctx: StepContext) => Promise<StepOutcome>> = {
  async preparation(ctx) {
    const { run, targetRelease } = ctx;
    ctx.log("info", `Changelog of ${targetRelease.version}: ${targetRelease.changelog.split("\n").filter((l) => l.startsWith("- ")).slice(0, 4).join(" ")}`);
    if (targetRelease.minUpgradeFrom && compareVersions(run.fromVersion, targetRelease.minUpgradeFrom) < 0) {
      throw new StepError("incompatible_version", `${targetRelease.version} upgrades from ${targetRelease.minUpgradeFrom} or later; the instance runs ${run.fromVersion}.`);
    }
    ctx.log("info", `Compatible: ${run.fromVersion} → ${targetRelease.version}`);
    const kind = ctx.loaded.driver.kind;
    if (kind === "process" && !ctx.target.bundle) throw new StepError("dependencies_not_met", `${targetRelease.version} has no bundle artifact for the process driver.`);
    if (kind === "docker" && !(ctx.target.appImage && ctx.target.workerImage)) throw new StepError("dependencies_not_met", `${targetRelease.version} has no images for the docker driver.`);
    if (!ctx.target.schemaVersion) throw new StepError("dependencies_not_met", `${targetRelease.version} does not state its schema version.`);
    const renamed = (targetRelease.configRequirements as { renamed?: Record<string, string> } | null)?.renamed;
    if (renamed) ctx.log("info", `Config changes required: ${Object.entries(renamed).map(([a, b]) => `${a} → ${b}`).join(", ")}`);
    ctx.log("info", `Dependencies met: ${kind} artifacts and schema ${ctx.target.schemaVersion}`);
    await tickBySystem(run.id, ["compatibilityVerified", "dependenciesChecked"], `path ${run.fromVersion} → ${run.toVersion}`);
    return { compatible: true };
  },

  async backup(ctx) {
    const db = getDb();
    // Idempotent: a resumed run continues the backup it already started.
    let backup = await db.backup.findFirst({ where: { upgradeRunId: ctx.run.id, status: { not: "failed" } }, orderBy: { createdAt: "desc" } });
    backup ??= await db.backup.create({ data: { instanceId: ctx.run.instanceId, upgradeRunId: ctx.run.id, requestedById: ctx.run.requestedById } });
    const result = await performBackup({ backupId: backup.id, runtime: ctx.loaded.runtime, ...(ctx.loaded.config.assetsDir ? { assetsDir: ctx.loaded.config.assetsDir } : {}), log: ctx.log });
    await tickBySystem(ctx.run.id, ["backupCompleted"], `backup ${backup.id} verified`);
    return { backupId: backup.id, sha256: result.sha256, sizeBytes: result.sizeBytes };
  },

  async pre_checks(ctx) {
    const { baseUrl, runtime } = ctx.loaded;
    const health = await getHealth(baseUrl).catch((e: unknown) => {
      throw new StepError("unreachable", e instanceof Error ? e.message : String(e));
    });
    if (health.httpStatus !== 200 || health.status !== "healthy") throw new StepError("unhealthy", `Health answered HTTP ${health.httpStatus} (${health.status}).`);
    ctx.log("info", `Health: ${health.status}, version ${health.version}`);
    const size = await withInstanceDb(runtime.databaseUrl, async (c) => {
      const r = await c.query<{ size: string }>("SELECT pg_database_size(current_database())::text AS size");
      await c.query("SELECT count(*) FROM pg_catalog.pg_class");
      return Number(r.rows[0]?.size ?? 0);
    }).catch((e: unknown) => {
      throw new StepError("unreachable", `The instance database did not answer: ${e instanceof Error ? e.message : String(e)}`);
    });
    ctx.log("info", `Database: ${Math.round(size / 1024)} KiB, catalog readable`);
    for (const dir of [getEnv().STORAGE_DIR, runtime.workDir]) {
      const fs = await statfs(existsSync(dir) ? dir : "/");
      const free = Number(fs.bavail) * Number(fs.bsize);
      if (free < MIN_FREE_BYTES) throw new StepError("low_disk_space", `Only ${Math.round(free / 1048576)} MiB free under ${dir}.`);
    }
    ctx.log("info", "Disk space: enough");
    try {
      JSON.parse(readFileSync(runtime.configFile, "utf8"));
      ctx.log("info", "Configuration: valid JSON");
    } catch (e) {
      throw new StepError("invalid_configuration", `The config file does not parse: ${e instanceof Error ? e.message : String(e)}`);
    }
    let jobs = await getActiveJobs(baseUrl);
    let paused = false;
    if (jobs.count > 0) {
      ctx.log("warn", `${jobs.count} active job(s): pausing the queue and waiting for them to finish`);
      await fence(ctx, "pause the job queue");
      await pauseJobs(baseUrl, runtime.adminToken);
      paused = true;
      const deadline = Date.now() + 60_000;
      while (jobs.count > 0 && Date.now() < deadline) {
        await sleep(1000, ctx.signal);
        jobs = await getActiveJobs(baseUrl);
      }
      if (jobs.count > 0) {
        await resumeJobs(baseUrl, runtime.adminToken).catch(() => undefined);
        throw new StepError("active_jobs", `${jobs.count} job(s) still active after 60 s.`);
      }
    }
    ctx.log("info", "No active jobs");
    return { databaseBytes: size, pausedJobs: paused };
  },

  async maintenance_on(ctx) {
    const { baseUrl, runtime } = ctx.loaded;
    const message = `System upgrade in progress (${ctx.run.fromVersion} → ${ctx.run.toVersion}). Expected completion: 30 minutes.`;
    await fence(ctx, "enable maintenance mode");
    try {
      await enterPlatformMaintenance(baseUrl, runtime.adminToken, message);
    } catch (e) {
      throw new StepError("maintenance_failed", e instanceof Error ? e.message : String(e));
    }
    const h = await getHealth(baseUrl);
    if (!h.maintenance?.enabled) throw new StepError("maintenance_failed", "The instance does not report maintenance mode after enabling it.");
    ctx.log("info", "Maintenance mode on; job queue paused");
    return withInstanceChange({ maintenance: true }, "upgrade_enters_maintenance", { maintenanceMessage: message });
  },

  async pull_artifacts(ctx) {
    const r = await ctx.loaded.driver.pull(ctx.loaded.runtime, ctx.target, ctx.log);
    return { verified: r.verified };
  },

  async migrate(ctx) {
    const before = await currentSchemaVersion(ctx.loaded.runtime.databaseUrl);
    ctx.log("info", `Schema before: ${before ?? "none"}`);
    await ctx.loaded.driver.migrate(ctx.loaded.runtime, ctx.target, { direction: "up" }, ctx.log);
    const after = await currentSchemaVersion(ctx.loaded.runtime.databaseUrl);
    if (after !== ctx.target.schemaVersion) throw new StepError("schema_conflict", `schema_migrations says ${after ?? "none"}; ${ctx.target.version} expects ${ctx.target.schemaVersion}.`);
    ctx.log("info", `schema_migrations verified at ${after}`);
    return { from: before, to: after };
  },

  async configure(ctx) {
    const { runtime } = ctx.loaded;
    const last = await latestSnapshot(ctx.run.instanceId);
    const current: ConfigValues = (last?.content as ConfigValues | undefined) ?? (JSON.parse(readFileSync(runtime.configFile, "utf8")) as { values: ConfigValues }).values;
    const next = applyRequirements(current, ctx.targetRelease.configRequirements);
    await fence(ctx, "write the config file");
    const version = await writeSnapshot(ctx.run.instanceId, runtime.configFile, next, ctx.target.version);
    const changed = Object.keys({ ...current, ...next }).filter((k) => current[k] !== next[k]);
    ctx.log("info", `Config version ${version} written${changed.length ? ` (changed: ${changed.join(", ")})` : " (no changes)"}`);
    return { configVersion: version, changed };
  },

  async deploy(ctx) {
    await ctx.loaded.driver.deploy(ctx.loaded.runtime, ctx.target, ctx.log);
    const s = await ctx.loaded.driver.status(ctx.loaded.runtime);
    if (!s.app.running || !s.worker.running) throw new StepError("container_start_failed", `After deploy: app ${s.app.running ? "running" : "stopped"}, worker ${s.worker.running ? "running" : "stopped"}.`);
    ctx.log("info", `Running: app ${s.app.version}, worker ${s.worker.version}`);
    return { app: s.app.version, worker: s.worker.version };
  },

  async validate(ctx) {
    const { baseUrl, runtime } = ctx.loaded;
    await waitHealthy(ctx);
    const version = await getVersion(baseUrl);
    if (version !== ctx.target.version) throw new StepError("version_mismatch", `The instance reports ${version ?? "no version"}, expected ${ctx.target.version}.`);
    ctx.log("info", `Version: ${version}`);
    const before = await getRequestCounts(baseUrl);
    const smoke = await runSmokeTest(baseUrl, { adminToken: runtime.adminToken });
    ctx.log(smoke.ok ? "info" : "error", `Smoke test: ${smoke.detail}`);
    const after = await getRequestCounts(baseUrl);
    const served = after.total - before.total;
    const errorRate = served > 0 ? (after.errors - before.errors) / served : 0;
    ctx.log("info", `Metrics: ${served} requests during validation, error rate ${(errorRate * 100).toFixed(1)}%`);
    if (errorRate > 0.01) throw new StepError("error_rate_high", `Error rate ${(errorRate * 100).toFixed(1)}% during validation (threshold 1%).`);
    if (!smoke.ok) throw new StepError("smoke_test_failed", smoke.detail);
    return { version, errorRate, requests: served };
  },

  async maintenance_off(ctx) {
    const { baseUrl, runtime } = ctx.loaded;
    await fence(ctx, "disable maintenance mode");
    try {
      await leavePlatformMaintenance(baseUrl, runtime.adminToken);
    } catch (e) {
      throw new StepError("maintenance_failed", e instanceof Error ? e.message : String(e));
    }
    ctx.log("info", `Maintenance mode off; ${ctx.target.version} serves traffic`);
    return withInstanceChange({ maintenance: false }, "leaves_maintenance", { version: ctx.target.version });
  },

  async monitor(ctx) {
    const db = getDb();
    const laterHop = ctx.run.planId ? await db.upgradeRun.findFirst({ where: { planId: ctx.run.planId, hopIndex: { gt: ctx.run.hopIndex } }, select: { id: true } }) : null;
    if (laterHop) {
      ctx.log("info", "Intermediate hop of a planned path: monitoring happens after the last hop");
      return { skipped: true };
    }
    const minutes = ctx.run.instance.monitoringWindowMinutes;
    const until = new Date(Date.now() + minutes * 60_000);
    ctx.log("info", `Monitoring window open for ${minutes} min, until ${until.toISOString()}`);
    return { waitUntil: until, result: { windowMinutes: minutes } };
  },
};
