import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { copyFile, mkdir, rm, stat, statfs, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { existsSync } from "node:fs";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import path from "node:path";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { hintFor } from "@/lib/upgrades/runbook";
import { sha256File } from "@/lib/runtime/process-driver";
import { databaseSize, pgDump, pgRestoreList } from "@/lib/backups/pg-tools";
import type { InstanceRuntime, StepLog } from "@/lib/runtime/types";

const run = promisify(execFile);

export class BackupError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "BackupError";
    this.code = code;
  }
}

export function backupDir(instanceId: string, backupId: string): string {
  return path.join(getEnv().STORAGE_DIR, "backups", instanceId, backupId);
}

/**
 * The assets part: a tar.gz of `assetsDir`, or of nothing. The empty archive (what `tar` writes for
 * no files: 20 zero blocks) is made here, not by a tar process: from a big process such as the
 * worker, starting one costs tens of milliseconds.
 */
export async function archiveAssets(file: string, assetsDir: string | null): Promise<void> {
  if (assetsDir) await run("tar", ["-czf", file, "-C", assetsDir, "."]);
  else await writeFile(file, gzipSync(Buffer.alloc(20 * 512)));
}

/**
 * Runbook step 2: database (pg_dump -Fc, verified with pg_restore --list), configuration and
 * assets, each with a sha256. Moves the Backup row pending → running → completed | failed.
 */
export async function performBackup(opts: { backupId: string; runtime: InstanceRuntime; assetsDir?: string; log: StepLog }): Promise<{ sizeBytes: number; sha256: string }> {
  const { backupId, runtime, log } = opts;
  const db = getDb();
  const claimed = await db.backup.updateMany({ where: { id: backupId, status: { in: ["pending", "running"] } }, data: { status: "running", startedAt: new Date() } });
  if (claimed.count === 0) {
    const done = await db.backup.findUniqueOrThrow({ where: { id: backupId } });
    if (done.status === "completed") return { sizeBytes: Number(done.sizeBytes ?? 0), sha256: done.sha256 ?? "" };
    throw new BackupError(done.errorCode ?? "backup_failed", done.error ?? "The backup failed earlier.");
  }
  const dir = backupDir(runtime.instanceId, backupId);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const dbBytes = await databaseSize(runtime.databaseUrl).catch(() => 0);
    const fsInfo = await statfs(dir);
    const free = Number(fsInfo.bavail) * Number(fsInfo.bsize);
    // A custom-format dump is compressed; twice the live size is a safe upper bound.
    if (free < dbBytes * 2 + 50 * 1024 * 1024) {
      throw new BackupError("insufficient_storage", `Only ${Math.round(free / 1048576)} MiB free for a database of ${Math.round(dbBytes / 1048576)} MiB.`);
    }

    const parts: { kind: "database" | "config" | "assets"; path: string }[] = [];
    // Each attempt writes files of its own: an attempt a resumed run makes while a stalled one
    // is still running never writes over its files.
    const attempt = randomBytes(4).toString("hex");
    const dumpFile = path.join(dir, `database-${attempt}.dump`);
    log("info", `pg_dump -Fc of the instance database (${Math.round(dbBytes / 1024)} KiB live)`);
    try {
      await pgDump(runtime.databaseUrl, dumpFile, getEnv().BACKUP_TIMEOUT_SECONDS * 1000);
    } catch (e) {
      const err = e as { killed?: boolean; stderr?: string; message: string };
      throw new BackupError(err.killed ? "backup_timeout" : "backup_failed", (err.stderr || err.message).trim().split("\n").slice(-3).join(" "));
    }
    try {
      const entries = await pgRestoreList(dumpFile);
      log("info", `pg_restore --list: ${entries} entries, archive readable`);
    } catch (e) {
      throw new BackupError("backup_corrupt", `pg_restore --list could not read the dump: ${e instanceof Error ? e.message : String(e)}`);
    }
    parts.push({ kind: "database", path: dumpFile });

    if (existsSync(runtime.configFile)) {
      const configCopy = path.join(dir, `config-${attempt}.json`);
      await copyFile(runtime.configFile, configCopy);
      parts.push({ kind: "config", path: configCopy });
      log("info", "Configuration copied");
    }

    const assetsFile = path.join(dir, `assets-${attempt}.tar.gz`);
    const assetsDir = opts.assetsDir && existsSync(opts.assetsDir) ? opts.assetsDir : null;
    await archiveAssets(assetsFile, assetsDir);
    parts.push({ kind: "assets", path: assetsFile });
    log("info", assetsDir ? `Assets archived from ${path.basename(assetsDir)}/` : "No uploaded assets; archived an empty set");

    const hashed: { kind: "database" | "config" | "assets"; path: string; sha256: string; sizeBytes: number }[] = [];
    for (const p of parts) hashed.push({ ...p, sha256: await sha256File(p.path), sizeBytes: (await stat(p.path)).size });
    const sizeBytes = hashed.reduce((n, p) => n + p.sizeBytes, 0);
    const sha256 = createHash("sha256").update(hashed.map((p) => `${p.kind}:${p.sha256}`).join("\n")).digest("hex");
    const now = new Date();
    const won = await db.$transaction(async (tx) => {
      // Only the first attempt to finish records its parts; a later one leaves the result alone.
      const done = await tx.backup.updateMany({ where: { id: backupId, status: "running" }, data: { status: "completed", storagePath: dir, sizeBytes: BigInt(sizeBytes), sha256, finishedAt: now, verifiedAt: now, error: null, errorCode: null, hint: null } });
      if (done.count === 0) return false;
      await tx.backupPart.deleteMany({ where: { backupId } });
      await tx.backupPart.createMany({ data: hashed.map((p) => ({ backupId, kind: p.kind, path: p.path, sizeBytes: BigInt(p.sizeBytes), sha256: p.sha256 })) });
      await tx.instance.update({ where: { id: runtime.instanceId }, data: { lastBackupAt: now } });
      return true;
    });
    if (!won) {
      for (const p of hashed) await rm(p.path, { force: true });
      const done = await db.backup.findUniqueOrThrow({ where: { id: backupId } });
      if (done.status !== "completed") throw new BackupError(done.errorCode ?? "backup_failed", done.error ?? "Another attempt of this backup failed.");
      log("info", "Another attempt completed this backup first; using it");
      return { sizeBytes: Number(done.sizeBytes ?? 0), sha256: done.sha256 ?? "" };
    }
    log("info", `Backup completed: ${Math.round(sizeBytes / 1024)} KiB, sha256 ${sha256.slice(0, 16)}…`);
    return { sizeBytes, sha256 };
  } catch (e) {
    const code = e instanceof BackupError ? e.code : "backup_failed";
    const message = e instanceof Error ? e.message : String(e);
    const marked = await db.backup.updateMany({ where: { id: backupId, status: "running" }, data: { status: "failed", error: message.slice(0, 2000), errorCode: code, hint: hintFor("backup", code), finishedAt: new Date() } });
    if (marked.count > 0) await rm(dir, { recursive: true, force: true });
    throw e instanceof BackupError ? e : new BackupError(code, message);
  }
}

/** Checks a completed backup's database part against its recorded sha256 before a restore. */
export async function verifiedDumpPath(backupId: string): Promise<string> {
  const part = await getDb().backupPart.findUnique({ where: { backupId_kind: { backupId, kind: "database" } } });
  if (!part) throw new BackupError("restore_failed", "The backup has no database part.");
  if (!existsSync(part.path)) throw new BackupError("restore_failed", "The backup's database file is missing from storage.");
  const actual = await sha256File(part.path);
  if (actual !== part.sha256) throw new BackupError("restore_failed", "The backup's database file no longer matches its sha256.");
  return part.path;
}
