import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { actorUserId, requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import { enqueueBackup } from "@/lib/jobs/queue";
import { loadRuntime } from "@/lib/runtime/load-runtime";
import { performBackup } from "@/lib/backups/perform-backup";
import { logInfo } from "@/lib/log";

/** `POST /api/superadmin/instances/{id}/backup`: records and queues a backup; a worker makes it. */
export async function requestBackup(opts: { actor: Actor | null; instanceId: string }) {
  requirePermission(opts.actor, "backup:run");
  const { actor, instanceId } = opts;
  return getDb().$transaction(async (tx) => {
    const instance = await tx.instance.findUnique({ where: { id: instanceId } });
    if (!instance) throw new AppError("not_found", `No instance with id ${instanceId}.`);
    if (!instance.runtimeConfig) throw new AppError("conflict", `Instance ${instance.name} has no runtime configuration to back up.`);
    const running = await tx.backup.findFirst({ where: { instanceId, status: { in: ["pending", "running"] } } });
    if (running) throw new AppError("conflict", `A backup of this instance is already ${running.status} (${running.id}).`, { backupId: running.id });
    const backup = await tx.backup.create({ data: { instanceId, requestedById: actorUserId(actor) } });
    await recordAudit(tx, actor, { action: "instance.backup.create", resourceType: "instance", resourceId: instanceId, metadata: { backupId: backup.id } });
    await enqueueBackup(backup.id, tx);
    return { backup: { id: backup.id, status: backup.status } };
  });
}

export async function listBackups(opts: { actor: Actor | null; instanceId: string }) {
  requirePermission(opts.actor, "backup:read");
  const db = getDb();
  if (!(await db.instance.findUnique({ where: { id: opts.instanceId }, select: { id: true } }))) throw new AppError("not_found", `No instance with id ${opts.instanceId}.`);
  const rows = await db.backup.findMany({ where: { instanceId: opts.instanceId }, orderBy: { createdAt: "desc" }, take: 100 });
  return rows.map((b) => ({
    id: b.id,
    status: b.status,
    createdAt: b.createdAt.toISOString(),
    sizeBytes: b.sizeBytes === null ? null : Number(b.sizeBytes),
    sha256: b.sha256,
    verifiedAt: b.verifiedAt?.toISOString() ?? null,
    upgradeId: b.upgradeRunId,
    error: b.error,
    hint: b.hint,
  }));
}

/** The worker's side of a standalone backup. */
export async function runQueuedBackup(backupId: string): Promise<void> {
  const db = getDb();
  const backup = await db.backup.findUnique({ where: { id: backupId }, include: { instance: { include: { host: true } } } });
  if (!backup || backup.status === "completed" || backup.status === "failed") return;
  const loaded = await loadRuntime(backup.instance);
  await performBackup({ backupId, runtime: loaded.runtime, ...(loaded.config.assetsDir ? { assetsDir: loaded.config.assetsDir } : {}), log: (level, message) => logInfo(`backup ${backupId}: ${message}`, { level }) }).catch(() => undefined);
}
