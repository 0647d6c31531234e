import "server-only";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { recordAudit } from "@/lib/audit/record-audit";
import { notifyRun } from "@/lib/notifications/notify-run";
import { pgRestore } from "@/lib/backups/pg-tools";
import { verifiedDumpPath } from "@/lib/backups/perform-backup";
import { leavePlatformMaintenance, setPlatformMaintenance } from "@/lib/runtime/platform-client";
import { writeSnapshot, type ConfigValues } from "@/lib/upgrades/engine/config-snapshots";
import { currentSchemaVersion, waitHealthy } from "@/lib/upgrades/engine/upgrade-steps";
import { fence, StepError, withInstanceChange, type StepContext, type StepOutcome } from "@/lib/upgrades/engine/context";

// In a rollback run, `source` is the version being left (the failed or unwanted one) and
// `target` is the previous version the instance returns to.

async function maintenanceOn(ctx: StepContext): Promise<StepOutcome> {
  const { baseUrl, runtime } = ctx.loaded;
  await fence(ctx, "enable maintenance mode");
  try {
    await setPlatformMaintenance(baseUrl, runtime.adminToken, true, "Restoring the previous version.");
    ctx.log("info", "Maintenance mode on");
  } catch (e) {
    // The failed version may not answer at all; it is stopped next, so carry on.
    ctx.log("warn", `Could not switch the running version to maintenance (${e instanceof Error ? e.message : String(e)}); it is stopped next`);
  }
  return withInstanceChange({ maintenance: true }, "rollback_enters_maintenance", { maintenanceMessage: "Restoring the previous version." });
}

async function stopNew(ctx: StepContext): Promise<StepOutcome> {
  await ctx.loaded.driver.stop(ctx.loaded.runtime, ctx.log);
  return { stopped: true };
}

async function backupToRestore(ctx: StepContext): Promise<string> {
  if (!ctx.run.restoreBackupId) throw new StepError("restore_failed", "No pre-upgrade backup is recorded for this rollback.");
  return ctx.run.restoreBackupId;
}

async function restoreDatabase(ctx: StepContext): Promise<StepOutcome> {
  const backupId = await backupToRestore(ctx);
  const file = await verifiedDumpPath(backupId).catch((e: unknown) => {
    throw new StepError("restore_failed", e instanceof Error ? e.message : String(e));
  });
  ctx.log("info", `Restoring backup ${backupId} (sha256 verified) with pg_restore --clean --if-exists`);
  await fence(ctx, "restore the database");
  try {
    await pgRestore(ctx.loaded.runtime.databaseUrl, file, getEnv().BACKUP_TIMEOUT_SECONDS * 1000);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new StepError("restore_failed", (err.stderr || err.message).trim().split("\n").slice(-4).join(" "));
  }
  ctx.log("info", `Database restored; schema now ${await currentSchemaVersion(ctx.loaded.runtime.databaseUrl)}`);
  return { restoredFrom: backupId };
}

async function migrateDown(ctx: StepContext): Promise<StepOutcome> {
  const current = await currentSchemaVersion(ctx.loaded.runtime.databaseUrl);
  const wanted = ctx.target.schemaVersion;
  ctx.log("info", `Schema now ${current ?? "none"}; ${ctx.target.version} needs ${wanted}`);
  if (!current || Number(current) <= Number(wanted)) {
    ctx.log("info", "No migration to roll back");
    return { from: current, to: current, method: "none" };
  }
  try {
    // The newer release carries the down migrations of what it added.
    await ctx.loaded.driver.pull(ctx.loaded.runtime, ctx.source, ctx.log);
    await ctx.loaded.driver.migrate(ctx.loaded.runtime, ctx.source, { direction: "down", to: wanted }, ctx.log);
    const after = await currentSchemaVersion(ctx.loaded.runtime.databaseUrl);
    if (after !== wanted) throw new StepError("migration_failed", `schema_migrations says ${after} after migrating down.`);
    return { from: current, to: after, method: "migrations" };
  } catch (e) {
    ctx.log("warn", `Migrating down failed (${e instanceof Error ? e.message.split("\n")[0] : String(e)}); restoring the pre-upgrade backup instead`);
    const restored = await restoreDatabase(ctx);
    return { from: current, to: wanted, method: "restore", ...(restored ?? {}) };
  }
}

async function restoreConfig(ctx: StepContext): Promise<StepOutcome> {
  const db = getDb();
  const snap = await db.configSnapshot.findFirst({ where: { instanceId: ctx.run.instanceId, forRelease: ctx.target.version }, orderBy: { version: "desc" } });
  if (!snap) {
    ctx.log("warn", `No config snapshot for ${ctx.target.version}; keeping the current config`);
    return { restored: false };
  }
  await fence(ctx, "write the config file");
  const version = await writeSnapshot(ctx.run.instanceId, ctx.loaded.runtime.configFile, snap.content as ConfigValues, ctx.target.version);
  ctx.log("info", `Config of ${ctx.target.version} restored as version ${version}`);
  return { restored: true, configVersion: version };
}

async function deployPrevious(ctx: StepContext): Promise<StepOutcome> {
  await ctx.loaded.driver.pull(ctx.loaded.runtime, ctx.target, ctx.log);
  await ctx.loaded.driver.deploy(ctx.loaded.runtime, ctx.target, ctx.log);
  return { deployed: ctx.target.version };
}

async function health(ctx: StepContext): Promise<StepOutcome> {
  await waitHealthy(ctx, { version: ctx.target.version });
  return { healthy: true };
}

async function maintenanceOff(ctx: StepContext): Promise<StepOutcome> {
  const { baseUrl, runtime } = ctx.loaded;
  await fence(ctx, "disable maintenance mode");
  try {
    await leavePlatformMaintenance(baseUrl, runtime.adminToken);
  } catch (e) {
    throw new StepError("maintenance_failed", e instanceof Error ? e.message : String(e));
  }
  ctx.log("info", `Maintenance mode off; ${ctx.target.version} serves traffic`);
  return withInstanceChange({ maintenance: false }, "leaves_maintenance", { version: ctx.target.version });
}

async function pageOnCall(ctx: StepContext): Promise<StepOutcome> {
  const result = await getDb().$transaction((tx) => notifyRun(tx, ctx.run.id, "upgrade.emergency_rollback"));
  const undeliverable = result?.undeliverable ?? [];
  ctx.log(undeliverable.length ? "warn" : "info", `Queued ${result?.queued ?? 0} notification(s)${undeliverable.length ? `; no channel configured for ${undeliverable.join(", ")}` : ""}`);
  return { queued: result?.queued ?? 0, undeliverable };
}

export const ROLLBACK_STEP_FNS: Record<string, (ctx: StepContext) => Promise<StepOutcome>> = {
  rb_maintenance_on: maintenanceOn,
  rb_stop_new: stopNew,
  rb_migrate_down: migrateDown,
  rb_restore_config: restoreConfig,
  rb_deploy_previous: deployPrevious,
  rb_health: health,
  rb_maintenance_off: maintenanceOff,
  async rb_audit(ctx) {
    await getDb().$transaction((tx) =>
      recordAudit(tx, { type: "system", label: "upgrade engine" }, {
        action: "instance.upgrade.rollback",
        resourceType: "instance",
        resourceId: ctx.run.instanceId,
        metadata: { reason: ctx.run.policyReason ?? "Upgrade rolled back", from: ctx.source.version, to: ctx.target.version, rollbackId: ctx.run.id, upgradeId: ctx.run.parentRunId },
      }),
    );
    return { audited: true };
  },
  async rb_notify(ctx) {
    // The notification itself is queued in the transaction that marks the upgrade rolled back
    // (applyTransition), so it cannot claim a rollback that did not finish.
    ctx.log("info", "Stakeholders and channels are notified (upgrade.rolled_back) when the upgrade is marked rolled back");
    return { deferred: true };
  },

  em_maintenance_on: maintenanceOn,
  em_stop_new: stopNew,
  em_restore_db: restoreDatabase,
  async em_deploy_previous(ctx) {
    await restoreConfig(ctx);
    return deployPrevious(ctx);
  },
  em_health: health,
  em_maintenance_off: maintenanceOff,
  em_page_oncall: pageOnCall,
};
