import "server-only";
import { getDb, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { actorUserId, requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import { enqueueRun } from "@/lib/jobs/queue";
import { insertRun } from "@/lib/upgrades/create-runs";
import { applyTransition } from "@/lib/upgrades/engine/transitions";
import { applyInstanceChange } from "@/lib/instances/apply-instance-change";
import { POINT_OF_NO_RETURN } from "@/lib/upgrades/runbook";

export type EmergencyRollbackInput = {
  reason?: string;
  /** The upgrade the caller means to undo (the run page's button); refused unless it is the latest. */
  upgradeId?: string;
  /**
   * An explicit choice to restore a backup older than the instance's latest upgrade (everything
   * written since it is lost). Needed only when the latest upgrade cannot be the one undone.
   */
  olderBackup?: { backupId: string; acknowledgeDataLoss: true };
};

type BackupChoice = { backupId: string; upgradeId: string; takenAt: string; ageSeconds: number; from: string; to: string };

const ageOf = (d: Date) => Math.max(0, Math.round((Date.now() - d.getTime()) / 1000));

function describeAge(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

/** Older backups an operator could choose instead: those of upgrades that left the current version. */
async function olderChoices(tx: Tx, instanceId: string, version: string): Promise<BackupChoice[]> {
  const runs = await tx.upgradeRun.findMany({
    where: { instanceId, kind: "upgrade", toVersion: version, status: "succeeded", backups: { some: { status: "completed" } } },
    orderBy: { createdAt: "desc" },
    take: 3,
    include: { backups: { where: { status: "completed" }, orderBy: { createdAt: "desc" }, take: 1 } },
  });
  return runs.flatMap((r) => r.backups.map((b) => ({ backupId: b.id, upgradeId: r.id, takenAt: b.createdAt.toISOString(), ageSeconds: ageOf(b.createdAt), from: r.fromVersion, to: r.toVersion })));
}

/**
 * Which upgrade the emergency rollback undoes, and from which backup. Only the instance's latest
 * upgrade, and only while it is not already undone: anything else would restore an older backup
 * and lose what was written since, which takes the operator's explicit, audited choice.
 */
async function chooseTarget(tx: Tx, instanceId: string, input: EmergencyRollbackInput) {
  const instance = await tx.instance.findUniqueOrThrow({ where: { id: instanceId } });
  const latest = await tx.upgradeRun.findFirst({
    where: { instanceId, kind: "upgrade", startedAt: { not: null } },
    orderBy: { createdAt: "desc" },
    include: { steps: { where: { key: POINT_OF_NO_RETURN } }, backups: { where: { status: "completed" }, orderBy: { createdAt: "desc" }, take: 1 } },
  });
  if (input.olderBackup) {
    const backup = await tx.backup.findFirst({ where: { id: input.olderBackup.backupId, instanceId, status: "completed" }, include: { upgradeRun: true } });
    const run = backup?.upgradeRun;
    if (!backup || !run || run.kind !== "upgrade") throw new AppError("not_found", "No verified pre-upgrade backup of this instance with that id.");
    if (run.toVersion !== instance.version) throw new AppError("conflict", `That backup was taken before an upgrade to ${run.toVersion}; the instance runs ${instance.version}.`);
    return { upgrade: run, backup, older: true, ageSeconds: ageOf(backup.createdAt) };
  }
  const undone = !latest || latest.status === "rolled_back" || latest.steps.every((s) => s.status === "pending");
  const backup = latest?.backups[0];
  if (undone || !backup) {
    const choices = await olderChoices(tx, instanceId, instance.version);
    const why = !latest
      ? "There is no upgrade to roll back."
      : latest.status === "rolled_back"
        ? `The latest upgrade (${latest.fromVersion} → ${latest.toVersion}) has already been rolled back.`
        : !backup
          ? `The latest upgrade (${latest.fromVersion} → ${latest.toVersion}) has no verified pre-upgrade backup.`
          : `The latest upgrade (${latest.fromVersion} → ${latest.toVersion}) never reached the database migration: the instance still runs what it ran before.`;
    const offer = choices[0] ? ` An older backup exists (taken ${describeAge(choices[0].ageSeconds)} ago, before ${choices[0].from} → ${choices[0].to}); restoring it loses everything written since, so it needs an explicit choice (olderBackup).` : "";
    throw new AppError("conflict", why + offer, { latestUpgradeId: latest?.id ?? null, latestStatus: latest?.status ?? null, olderBackups: choices });
  }
  return { upgrade: latest, backup, older: false, ageSeconds: ageOf(backup.createdAt) };
}

/**
 * The one-click emergency rollback: restores the latest upgrade's pre-upgrade backup and
 * redeploys the version before it. It takes over from anything the instance is running now.
 */
export async function emergencyRollback(opts: { actor: Actor | null; instanceId: string } & EmergencyRollbackInput) {
  requirePermission(opts.actor, "rollback:run");
  const { actor, instanceId } = opts;
  return getDb().$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM instances WHERE id = ${instanceId} FOR UPDATE`;
    if (locked.length === 0) throw new AppError("not_found", `No instance with id ${instanceId}.`);
    const active = await tx.upgradeRun.findFirst({ where: { activeInstanceId: instanceId } });
    if (active?.kind === "emergency_rollback") throw new AppError("conflict", `An emergency rollback is already running (${active.id}).`, { activeUpgradeId: active.id });
    const { upgrade, backup, older, ageSeconds } = await chooseTarget(tx, instanceId, opts);
    if (opts.upgradeId && opts.upgradeId !== upgrade.id) throw new AppError("conflict", `That upgrade is not the instance's latest; the emergency rollback undoes the latest one (${upgrade.fromVersion} → ${upgrade.toVersion}).`, { latestUpgradeId: upgrade.id });
    if (active) {
      // Take over: the execution running it loses its lease, and fencing refuses what it still does.
      await tx.upgradeRun.update({ where: { id: active.id }, data: { activeInstanceId: null, leaseOwner: null, leaseExpiresAt: null } });
      await applyTransition(tx, active.id, active.id === upgrade.id ? "superseded_by_emergency_rollback_of_itself" : "superseded_by_emergency", { extra: { error: "Superseded by an emergency rollback" }, message: "Superseded by an emergency rollback" });
    } else if (upgrade.status !== "rolling_back") {
      await applyTransition(tx, upgrade.id, "roll_back_in_emergency", { message: "Emergency rollback" });
    }
    // The step each replaced run was in (or waiting in: monitoring) ends here, not "running" forever.
    const replaced = [...new Set([active?.id, upgrade.id].filter((x): x is string => !!x))];
    await tx.upgradeStep.updateMany({ where: { runId: { in: replaced }, status: { in: ["running", "waiting"] } }, data: { status: "interrupted", finishedAt: new Date(), error: "Interrupted by an emergency rollback" } });
    await applyInstanceChange(tx, instanceId, "rollback_begins");
    const id = await insertRun(tx, {
      instanceId,
      kind: "emergency_rollback",
      fromVersion: upgrade.toVersion,
      toVersion: upgrade.fromVersion,
      status: "running",
      trigger: actor.type === "token" ? "api" : "manual",
      active: true,
      parentRunId: upgrade.id,
      restoreBackupId: backup.id,
      policyReason: opts.reason ?? (older ? `Emergency rollback to an older backup (${describeAge(ageSeconds)} old)` : "Emergency rollback"),
      requestedById: actorUserId(actor),
    });
    await recordAudit(tx, actor, {
      action: "instance.upgrade.rollback.emergency.request",
      resourceType: "instance",
      resourceId: instanceId,
      metadata: { rollbackId: id, upgradeId: upgrade.id, backupId: backup.id, backupTakenAt: backup.createdAt.toISOString(), backupAgeSeconds: ageSeconds, olderBackupChosen: older, to: upgrade.fromVersion, reason: opts.reason ?? null },
    });
    await enqueueRun(id, tx);
    return { rollback: { id, status: "running" } };
  });
}
