// The runbook's checks that the console's steps make besides the commands of the plain script
// (upgrade.ts): the backup's size check, config copy, assets archive and checksums, the instance
// database and config checks, the schema version before and after migrate, the config file write,
// the version and metrics reads. The plain script times them apart, so the report can say how
// much of the console's overhead is this work rather than bookkeeping.
import { copyFile, mkdtemp, readFile, rm, stat, statfs } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { InstanceRuntime } from "../../lib/runtime/types";

export type CheckContext = { runtime: InstanceRuntime; baseUrl: string; dump: string };

async function instanceDb(url: string, sqls: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const q of sqls) await c.query(q);
  } finally {
    await c.end();
  }
}

/** The checks the console makes in `step`, beyond the plain script's commands for it. */
export async function runbookChecks(step: string, ctx: CheckContext): Promise<void> {
  const { runtime, baseUrl, dump } = ctx;
  const { databaseSize } = await import("../../lib/backups/pg-tools");
  const { archiveAssets } = await import("../../lib/backups/perform-backup");
  const { sha256File } = await import("../../lib/runtime/process-driver");
  const platform = await import("../../lib/runtime/platform-client");
  const { writeConfigFile } = await import("../../lib/upgrades/engine/config-snapshots");
  const schema = ["SELECT to_regclass('public.schema_migrations')", "SELECT max(version) FROM schema_migrations"];
  switch (step) {
    case "backup": {
      await databaseSize(runtime.databaseUrl);
      const dir = await mkdtemp(path.join(os.tmpdir(), "bench-backup-"));
      const config = path.join(dir, "config.json");
      const assets = path.join(dir, "assets.tar.gz");
      await copyFile(runtime.configFile, config);
      await archiveAssets(assets, null);
      for (const f of [dump, config, assets]) {
        await sha256File(f);
        await stat(f);
      }
      await rm(dir, { recursive: true, force: true });
      return;
    }
    case "pre_checks":
      await instanceDb(runtime.databaseUrl, ["SELECT pg_database_size(current_database())", "SELECT count(*) FROM pg_catalog.pg_class"]);
      await statfs(runtime.workDir);
      JSON.parse(await readFile(runtime.configFile, "utf8"));
      return;
    case "maintenance_on":
      await platform.getHealth(baseUrl);
      return;
    case "migrate":
      await instanceDb(runtime.databaseUrl, schema);
      return;
    case "configure": {
      const current = JSON.parse(await readFile(runtime.configFile, "utf8")) as { configVersion: number; values: Record<string, string | number | boolean> };
      await writeConfigFile(runtime.configFile, current.configVersion, current.values);
      return;
    }
    case "validate":
      await platform.getVersion(baseUrl);
      await platform.getRequestCounts(baseUrl);
      return;
  }
}
