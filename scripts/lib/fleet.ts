// Shared by `npm start` and `npm test`: build the reference platform's release bundles, load their
// feed into the console, and give instances without a runtime a real one (process driver).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { freePort } from "./local-postgres";

export function buildBundles(root: string, outDir: string): string {
  execFileSync(process.execPath, [path.join(root, "examples/platform/build.mjs"), "--out", outDir], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  return path.join(outDir, "feed.json");
}

/** Call with the environment (DATABASE_URL, ENCRYPTION_KEY, STORAGE_DIR, …) already set. */
export async function prepareFleet(opts: { root: string; releasesDir: string; adminDatabaseUrl: string; log: (line: string) => void }): Promise<void> {
  const { syncReleaseFeed } = await import("../../lib/releases/sync-feed");
  const { provisionProcessInstance, ensureFleetRunning } = await import("../../lib/instances/provision-instance");
  const { getDb } = await import("../../lib/db");
  const { repointLocalDatabases } = await import("../../lib/instances/repoint-databases");
  const moved = await repointLocalDatabases(opts.adminDatabaseUrl);
  if (moved.length) opts.log(`The private PostgreSQL moved to another port; repointed ${moved.join(", ")}`);
  const feed = buildBundles(opts.root, opts.releasesDir);
  const { versions } = await syncReleaseFeed(feed);
  opts.log(`Release feed synced: ${versions.join(", ")}`);
  const bare = await getDb().instance.findMany({ where: { databaseUrlEncrypted: null } });
  for (const i of bare) {
    opts.log(`Provisioning ${i.name} (${i.version}) with the process driver`);
    await provisionProcessInstance({ instanceId: i.id, adminDatabaseUrl: opts.adminDatabaseUrl, port: await freePort() });
  }
  await ensureFleetRunning(opts.log);
}

export async function stopFleetProcesses(log: (line: string) => void): Promise<void> {
  const { stopFleet } = await import("../../lib/instances/provision-instance");
  await stopFleet(log);
}
