import "server-only";
import { randomUUID } from "node:crypto";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { Prisma } from "@/generated/prisma/client";
import { actorUserId, requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import { decideUpgrade } from "@/lib/channels/plan-upgrade";
import { enqueueRun } from "@/lib/jobs/queue";
import { insertRun } from "@/lib/upgrades/create-runs";
import type { CreateUpgradeInput } from "@/lib/upgrades/schemas";

export type CreatedUpgrade = { id: string; status: string; path: string[]; runIds: string[] };

/**
 * `POST /api/superadmin/instances/{id}/upgrades`: one transaction writes the run (one per hop of the
 * path), its steps and checklist, the audit entry and the job.
 */
export async function createUpgrade(opts: { actor: Actor | null; instanceId: string; input: CreateUpgradeInput; trigger?: "manual" | "api" }): Promise<CreatedUpgrade> {
  requirePermission(opts.actor, "upgrade:run");
  const { actor, instanceId, input } = opts;
  const userId = actorUserId(actor);
  if (input.checklistOverride && actor.type !== "system" && actor.role !== "superadmin") throw new AppError("forbidden", "Only a superadmin may override the checklist.");
  try {
    return await getDb().$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM instances WHERE id = ${instanceId} FOR UPDATE`;
      if (locked.length === 0) throw new AppError("not_found", `No instance with id ${instanceId}.`);
      const instance = await tx.instance.findUniqueOrThrow({ where: { id: instanceId }, include: { activeRun: { select: { id: true, status: true } } } });
      if (instance.activeRun) {
        throw new AppError("conflict", `The instance already has an active run (${instance.activeRun.id}, ${instance.activeRun.status}).`, { activeUpgradeId: instance.activeRun.id });
      }
      const releases = await tx.release.findMany({ where: { type: "platform" } });
      const decision = decideUpgrade(instance, input.targetVersion, releases);
      if (!decision.eligible) throw new AppError("conflict", decision.reason, { policy: "refused" });

      const firstStatus = decision.needsApproval ? "pending_approval" : "running";
      const planId = decision.path.length > 1 ? randomUUID() : null;
      const manual = Object.entries(input.checklist ?? {})
        .filter(([, v]) => v)
        .map(([key]) => ({ key, checkedById: userId }));
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
          }),
        );
        from = version;
      }
      const id = runIds[0] as string;
      await recordAudit(tx, actor, {
        action: "instance.upgrade.request",
        resourceType: "instance",
        resourceId: instanceId,
        metadata: { upgradeId: id, from: instance.version, to: input.targetVersion, path: decision.path, status: firstStatus, policy: decision.reason, ...(input.checklistOverride ? { checklistOverride: input.checklistOverride.reason } : {}) },
      });
      if (firstStatus === "running") await enqueueRun(id, tx);
      return { id, status: firstStatus, path: decision.path, runIds };
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
