import "server-only";
import { randomUUID } from "node:crypto";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { Prisma } from "@/generated/prisma/client";
import { actorUserId, requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import { evaluatePolicy } from "@/lib/channels/policy";
import { enqueueRun } from "@/lib/jobs/queue";
import { insertRun } from "@/lib/upgrades/create-runs";
import type { CreateUpgradeInput } from "@/lib/upgrades/schemas";
import type { ChecklistKey } from "@/generated/prisma/enums";

export type CreatedUpgrade = { id: string; status: string; path: string[]; runIds: string[]; scheduledFor: string | null };

/**
 * `POST /api/superadmin/instances/{id}/upgrades`: one transaction writes the run (one per hop of the
 * path), its steps and checklist, the audit entry and the job.
 */
export async function createUpgrade(opts: {
  actor: Actor | null;
  instanceId: string;
  input: CreateUpgradeInput;
  trigger?: "manual" | "api" | "auto_update";
  /** Checklist items the console itself vouches for (the auto-update scan), with why. */
  systemChecklist?: { key: ChecklistKey; note: string }[];
}): Promise<CreatedUpgrade> {
  requirePermission(opts.actor, "upgrade:run");
  const { actor, instanceId, input } = opts;
  const userId = actorUserId(actor);
  if (input.checklistOverride && actor.type !== "system" && actor.role !== "superadmin") throw new AppError("forbidden", "Only a superadmin may override the checklist.");
  try {
    return await getDb().$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM instances WHERE id = ${instanceId} FOR UPDATE`;
      if (locked.length === 0) throw new AppError("not_found", `No instance with id ${instanceId}.`);
      const instance = await tx.instance.findUniqueOrThrow({ where: { id: instanceId }, include: { activeRun: { select: { id: true, status: true } }, maintenanceWindows: true } });
      if (instance.activeRun) {
        throw new AppError("conflict", `The instance already has an active run (${instance.activeRun.id}, ${instance.activeRun.status}).`, { activeUpgradeId: instance.activeRun.id });
      }
      const releases = await tx.release.findMany({ where: { type: "platform" } });
      const release = releases.find((r) => r.version === input.targetVersion);
      if (!release) throw new AppError("conflict", `${input.targetVersion} is not a known release.`, { policy: "unknown_release" });
      const now = new Date();
      const freezes = await tx.freezePeriod.findMany({ where: { OR: [{ instanceId }, { instanceId: null }], endsAt: { gt: now } } });
      const decision = evaluatePolicy({
        instance: { version: instance.version, updateChannel: instance.updateChannel, pinnedVersion: instance.pinnedVersion, timezone: instance.timezone, windows: instance.maintenanceWindows, freezes },
        release,
        releases,
        now,
        trigger: opts.trigger === "auto_update" ? "auto" : "manual",
        ...(input.securityOverride && actor.type !== "system" ? { securityOverride: { reason: input.securityOverride.reason, byRole: actor.role } } : {}),
      });
      if (!decision.eligible) throw new AppError("conflict", decision.reason, { policy: decision.code });
      if (decision.when.kind === "never") throw new AppError("conflict", decision.reason, { policy: "never" });

      // The later of the policy's earliest moment and the one asked for.
      const asked = input.scheduledFor ? new Date(input.scheduledFor) : null;
      const policyAt = decision.when.kind === "window" ? decision.when.at : null;
      const startAt = [asked, policyAt].filter((d): d is Date => d !== null && d.getTime() > now.getTime()).sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
      const firstStatus = decision.needsApproval ? "pending_approval" : startAt ? "scheduled" : "running";
      const planId = decision.path.length > 1 ? randomUUID() : null;
      const manual = Object.entries(input.checklist ?? {})
        .filter(([, v]) => v)
        .map(([key]) => ({ key, checkedById: userId }))
        .concat((opts.systemChecklist ?? []).map((c) => ({ key: c.key, checkedById: null, bySystem: true, note: c.note })));
      const runIds: string[] = [];
      let from = instance.version;
      for (const [i, version] of decision.path.entries()) {
        runIds.push(
          await insertRun(tx, {
            instanceId,
            kind: "upgrade",
            fromVersion: from,
            toVersion: version,
            // Later hops wait for the one before; they become active in turn.
            status: i === 0 ? firstStatus : "scheduled",
            trigger: opts.trigger ?? (actor.type === "token" ? "api" : "manual"),
            active: i === 0,
            requestedById: userId,
            requestedByTokenId: actor.type === "token" ? actor.tokenId : null,
            rollbackPlan: input.rollbackPlan ?? null,
            urgent: decision.urgent,
            policyReason: decision.reason,
            planId,
            hopIndex: i,
            checklist: manual,
            checklistOverride: input.checklistOverride ? { reason: input.checklistOverride.reason, byId: userId } : null,
            scheduledFor: i === 0 ? startAt : null,
          }),
        );
        from = version;
      }
      const id = runIds[0] as string;
      await recordAudit(tx, actor, {
        action: "instance.upgrade.request",
        resourceType: "instance",
        resourceId: instanceId,
        metadata: { upgradeId: id, from: instance.version, to: input.targetVersion, path: decision.path, status: firstStatus, policy: decision.reason, scheduledFor: startAt?.toISOString() ?? null, ...(input.checklistOverride ? { checklistOverride: input.checklistOverride.reason } : {}) },
      });
      if (decision.overrideUsed && input.securityOverride) {
        await recordAudit(tx, actor, { action: "instance.upgrade.security_override", resourceType: "instance", resourceId: instanceId, metadata: { upgradeId: id, release: input.targetVersion, reason: input.securityOverride.reason } });
      }
      if (firstStatus === "running") await enqueueRun(id, tx);
      return { id, status: firstStatus, path: decision.path, runIds, scheduledFor: startAt?.toISOString() ?? null };
    });
  } catch (e) {
    // Two requests raced past the read above: the unique index on active_instance_id decides.
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") {
      const active = await getDb().upgradeRun.findFirst({ where: { activeInstanceId: instanceId }, select: { id: true } });
      throw new AppError("conflict", `The instance already has an active run${active ? ` (${active.id})` : ""}.`, { activeUpgradeId: active?.id ?? null });
    }
    throw e;
  }
}
