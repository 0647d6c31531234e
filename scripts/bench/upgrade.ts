// P1: one upgrade through the console against a plain script running the same commands through the
// same driver, and the time of an emergency rollback. Fresh instances of the reference platform.
import os from "node:os";
import path from "node:path";
import type { Stack } from "../lib/stack";
import { freePort } from "../lib/local-postgres";
import { api, log, RUNS, triple, median, type Bench } from "./lib";

async function lib() {
  const { getDb } = await import("../../lib/db");
  const { provisionProcessInstance } = await import("../../lib/instances/provision-instance");
  const { loadRuntime, releaseArtifacts } = await import("../../lib/runtime/load-runtime");
  const platform = await import("../../lib/runtime/platform-client");
  const { pgDump, pgRestoreList } = await import("../../lib/backups/pg-tools");
  return { getDb, provisionProcessInstance, loadRuntime, releaseArtifacts, platform, pgDump, pgRestoreList };
}

async function newInstance(stack: Stack, name: string): Promise<string> {
  const { getDb, provisionProcessInstance } = await lib();
  const row = await getDb().instance.create({ data: { name, url: "http://127.0.0.1:1", version: "1.0.0", updateChannel: "auto_update" } });
  await provisionProcessInstance({ instanceId: row.id, adminDatabaseUrl: stack.adminUrl, port: await freePort() });
  return row.id;
}

async function waitStatus(runId: string, want: string[], timeoutMs = 120_000): Promise<string> {
  const { getDb } = await lib();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await getDb().upgradeRun.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
    if (want.includes(r.status)) return r.status;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${r.status}`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

/** The same runbook commands as the engine's steps, run one after another with nothing around them. */
async function plainUpgrade(instanceId: string): Promise<void> {
  const { getDb, loadRuntime, releaseArtifacts, platform, pgDump, pgRestoreList } = await lib();
  const db = getDb();
  const inst = await db.instance.findUniqueOrThrow({ where: { id: instanceId }, include: { host: true } });
  const { driver, runtime, baseUrl } = await loadRuntime(inst);
  const target = releaseArtifacts(await db.release.findUniqueOrThrow({ where: { type_version: { type: "platform", version: "1.1.0" } }, include: { artifacts: true } }));
  const quiet = () => undefined;
  const dump = path.join(os.tmpdir(), `bench-${instanceId}.dump`);
  await pgDump(runtime.databaseUrl, dump, 600_000);
  await pgRestoreList(dump);
  await platform.getHealth(baseUrl);
  await platform.getActiveJobs(baseUrl);
  await platform.setPlatformMaintenance(baseUrl, runtime.adminToken, true, "upgrade");
  await platform.pauseJobs(baseUrl, runtime.adminToken);
  await driver.pull(runtime, target, quiet);
  await driver.migrate(runtime, target, { direction: "up" }, quiet);
  await driver.deploy(runtime, target, quiet);
  for (;;) {
    const h = await platform.getHealth(baseUrl).catch(() => null);
    if (h?.status === "healthy") break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await platform.runSmokeTest(baseUrl, { adminToken: runtime.adminToken });
  await platform.getRequestCounts(baseUrl);
  await platform.setPlatformMaintenance(baseUrl, runtime.adminToken, false);
  await platform.resumeJobs(baseUrl, runtime.adminToken);
}

async function benchUpgrades(stack: Stack) {
  const console_: number[] = [];
  const plain: number[] = [];
  const emergency: number[] = [];
  let lastRun = "";
  for (let i = 0; i < RUNS; i++) {
    const a = await newInstance(stack, `bench-console-${i}-${Date.now()}`);
    let t = performance.now();
    const created = (await api(stack, `/api/superadmin/instances/${a}/upgrades`, { body: { targetVersion: "1.1.0", rollbackPlan: "bench", checklist: { maintenanceWindowScheduled: true, stakeholdersNotified: true, rollbackPlanPrepared: true } } })) as { upgrade: { id: string } };
    await waitStatus(created.upgrade.id, ["monitoring", "failed", "rolled_back"]);
    console_.push(performance.now() - t);
    lastRun = created.upgrade.id;

    t = performance.now();
    const rb = (await api(stack, `/api/superadmin/instances/${a}/rollback/emergency`, { method: "POST" })) as { rollback: { id: string } };
    const end = await waitStatus(rb.rollback.id, ["succeeded", "failed"]);
    emergency.push(performance.now() - t);
    if (end !== "succeeded") log(`emergency rollback ${rb.rollback.id} ended ${end}`);

    const b = await newInstance(stack, `bench-plain-${i}-${Date.now()}`);
    t = performance.now();
    await plainUpgrade(b);
    plain.push(performance.now() - t);
    log(`round ${i + 1}: console ${(console_.at(-1)! / 1000).toFixed(2)} s, plain ${(plain.at(-1)! / 1000).toFixed(2)} s, emergency rollback ${(emergency.at(-1)! / 1000).toFixed(2)} s`);
  }
  return { console_, plain, emergency, lastRun };
}

export const upgradeBench: Bench = {
  name: "upgrade",
  needsServer: true,
  async run(stack) {
    stack.startWorker();
    const up = await benchUpgrades(stack);
    const ratios = up.console_.map((c, i) => c / (up.plain[i] ?? NaN));
    return `## P1: one upgrade, 1.0.0 → 1.1.0, console against a plain script

| how | min / median / max |
|---|---|
| through the console (API call → run \`monitoring\`) | ${triple(up.console_, "s")} |
| baseline: a plain script running the same commands | ${triple(up.plain, "s")} |
| **ratio console / script**, per round | **${triple(ratios, "×")}** (ratio of medians ${(median(up.console_) / median(up.plain)).toFixed(2)}×) |
| emergency rollback: API call → rollback run \`succeeded\` | ${triple(up.emergency, "s")} |

The plain script runs the same steps (pg_dump and pg_restore --list, health and job checks,
maintenance on, pull with sha256, migrate, deploy, health, smoke test, metrics, maintenance off)
through the same driver, with no queue, rows, events, audit or checklist around them. The
difference is what the console adds: the job queue pickup, a row and a notification per state
change and log line, the config snapshot, the audit entries, and the lease heartbeats.`;
  },
};
