import "server-only";
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { getBoss, QUEUES } from "@/lib/jobs/queue";
import { hintFor } from "@/lib/upgrades/runbook";

// What killed attempts leave behind (docs/architecture.md, "Restarts and crashes"): queue jobs still
// marked active by a worker that died, backups stuck "running", and backup files nothing refers to.
// Runs need none of this to resume (their rows and leases do that); it keeps the queue and the disk
// honest. Everything here is judged by age, well past any live attempt's own limits.

export type LeftoverReport = { runJobs: number; backupJobs: number; stuckBackups: number; files: number };

// Older than this, a file no backup refers to cannot belong to an attempt still writing it.
const FILE_GRACE_MS = 10 * 60_000;

async function cancelJobs(queue: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  await (await getBoss()).cancel(queue, ids);
  return ids.length;
}

/** Run jobs marked active whose run no live execution holds: their worker died. */
async function staleRunJobs(): Promise<string[]> {
  const lease = getEnv().RUN_LEASE_SECONDS;
  const rows = await getDb().$queryRaw<{ id: string }[]>`
    SELECT j.id::text AS id FROM pgboss.job j
    WHERE j.name = ${QUEUES.run} AND j.state = 'active' AND j.started_on < now() - make_interval(secs => ${lease * 3})
      AND NOT EXISTS (SELECT 1 FROM upgrade_runs r WHERE r.id = j.data->>'runId' AND r.lease_owner IS NOT NULL AND r.lease_expires_at > now())`;
  return rows.map((r) => r.id);
}

/** Backups "running" far longer than a dump may take: the attempt died. Fails them; returns their ids. */
async function failStuckBackups(): Promise<string[]> {
  const limitSeconds = getEnv().BACKUP_TIMEOUT_SECONDS + 300;
  const db = getDb();
  const stuck = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM backups WHERE status = 'running' AND started_at < now() - make_interval(secs => ${limitSeconds})`;
  const failed: string[] = [];
  for (const b of stuck) {
    const error = "The attempt running this backup stopped before it finished (its worker died).";
    const n = await db.backup.updateMany({ where: { id: b.id, status: "running" }, data: { status: "failed", error, errorCode: "backup_failed", hint: hintFor("backup", "backup_failed"), finishedAt: new Date() } });
    if (n.count > 0) failed.push(b.id);
  }
  return failed;
}

async function backupJobsFor(backupIds: string[]): Promise<string[]> {
  if (backupIds.length === 0) return [];
  const rows = await getDb().$queryRaw<{ id: string }[]>`
    SELECT id::text AS id FROM pgboss.job WHERE name = ${QUEUES.backup} AND state = 'active' AND data->>'backupId' = ANY(${backupIds}::text[])`;
  return rows.map((r) => r.id);
}

async function olderThan(p: string, ms: number): Promise<boolean> {
  const s = await stat(p).catch(() => null);
  return !!s && Date.now() - s.mtimeMs > ms;
}

async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

/** Files under the backups folder that no completed backup refers to. Returns how many went. */
async function removeUnreferencedFiles(): Promise<number> {
  const root = path.join(getEnv().STORAGE_DIR, "backups");
  const db = getDb();
  let removed = 0;
  for (const instanceId of await entries(root)) {
    for (const backupId of await entries(path.join(root, instanceId))) {
      const dir = path.join(root, instanceId, backupId);
      const backup = await db.backup.findUnique({ where: { id: backupId }, select: { status: true, parts: { select: { path: true } } } });
      if (backup && (backup.status === "pending" || backup.status === "running")) continue;
      const keep = new Set(backup?.status === "completed" ? backup.parts.map((p) => path.resolve(p.path)) : []);
      const files = await entries(dir);
      for (const f of files) {
        const file = path.join(dir, f);
        if (keep.has(path.resolve(file)) || !(await olderThan(file, FILE_GRACE_MS))) continue;
        await rm(file, { recursive: true, force: true });
        removed += 1;
      }
      if (keep.size === 0 && (await entries(dir)).length === 0) await rm(dir, { recursive: true, force: true });
    }
  }
  return removed;
}

export async function sweepLeftovers(): Promise<LeftoverReport> {
  const runJobs = await cancelJobs(QUEUES.run, await staleRunJobs());
  const stuck = await failStuckBackups();
  const backupJobs = await cancelJobs(QUEUES.backup, await backupJobsFor(stuck));
  const files = await removeUnreferencedFiles();
  return { runJobs, backupJobs, stuckBackups: stuck.length, files };
}
