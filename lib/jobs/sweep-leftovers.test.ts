// What killed attempts leave behind is cleared by the leftovers sweep: queue jobs a dead worker
// left active, a backup stuck "running", and backup files no backup refers to. Real pg-boss tables,
// real files in the suite's storage folder.
import { mkdirSync, utimesSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { testDb } from "@/test/support/db";
import { getEnv } from "@/lib/env";
import { getBoss, QUEUES, stopBoss } from "@/lib/jobs/queue";
import { sweepLeftovers } from "@/lib/jobs/sweep-leftovers";

afterAll(async () => {
  await stopBoss();
});

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

function oldFile(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, "x");
  const t = hoursAgo(2);
  utimesSync(file, t, t);
  return file;
}

async function activeJob(queue: string, data: object): Promise<string> {
  const boss = await getBoss();
  const id = await boss.send(queue, data);
  await testDb().$executeRawUnsafe(`UPDATE pgboss.job SET state = 'active', started_on = now() - interval '2 hours' WHERE id = $1::uuid`, id);
  return id ?? "";
}

async function jobState(id: string): Promise<string> {
  const rows = await testDb().$queryRawUnsafe<{ state: string }[]>(`SELECT state::text AS state FROM pgboss.job WHERE id = $1::uuid`, id);
  return rows[0]?.state ?? "gone";
}

describe("sweepLeftovers", () => {
  it("cancels dead workers' jobs, fails stuck backups and removes files nothing refers to", async () => {
    const instance = await testDb().instance.findFirstOrThrow();
    const root = path.join(getEnv().STORAGE_DIR, "backups", instance.id);

    const stuck = await testDb().backup.create({ data: { instanceId: instance.id, status: "running", startedAt: hoursAgo(2) } });
    const stuckFile = oldFile(path.join(root, stuck.id, "database-dead.dump"));
    const stuckJob = await activeJob(QUEUES.backup, { backupId: stuck.id });

    const done = await testDb().backup.create({ data: { instanceId: instance.id, status: "completed", startedAt: hoursAgo(3), finishedAt: hoursAgo(3) } });
    const kept = oldFile(path.join(root, done.id, "database-kept.dump"));
    await testDb().backupPart.create({ data: { backupId: done.id, kind: "database", path: kept, sizeBytes: 1n, sha256: "0".repeat(64) } });
    const stray = oldFile(path.join(root, done.id, "database-stray.dump"));
    const fresh = path.join(root, done.id, "assets-inflight.tar.gz");
    writeFileSync(fresh, "still being written");

    const orphanDir = path.join(root, `gone${randomBytes(4).toString("hex")}`);
    oldFile(path.join(orphanDir, "database-orphan.dump"));

    const deadRunJob = await activeJob(QUEUES.run, { runId: `no-such-run-${randomBytes(3).toString("hex")}` });
    const liveRunJob = await (await getBoss()).send(QUEUES.run, { runId: "queued-not-started" });

    const report = await sweepLeftovers();
    expect(report.runJobs).toBeGreaterThanOrEqual(1);
    expect(report.stuckBackups).toBeGreaterThanOrEqual(1);

    expect(await jobState(deadRunJob)).toBe("cancelled");
    expect(await jobState(liveRunJob ?? "")).toBe("created");
    expect(await jobState(stuckJob)).toBe("cancelled");
    expect(await testDb().backup.findUniqueOrThrow({ where: { id: stuck.id } })).toMatchObject({ status: "failed", errorCode: "backup_failed" });
    expect(existsSync(stuckFile)).toBe(false);
    expect(existsSync(kept)).toBe(true);
    expect(existsSync(stray)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(orphanDir)).toBe(false);

    // A second pass finds nothing more to do.
    const again = await sweepLeftovers();
    expect(again.stuckBackups).toBe(0);
    await testDb().backup.deleteMany({ where: { id: { in: [stuck.id, done.id] } } });
    await (await getBoss()).cancel(QUEUES.run, liveRunJob ?? "");
  });
});
