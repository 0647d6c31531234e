import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { Prisma } from "@/generated/prisma/client";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import { evaluatePolicy } from "@/lib/channels/policy";
import { enqueueRun } from "@/lib/jobs/queue";
import { insertRun } from "@/lib/upgrades/create-runs";
import { planUpgradeRuns } from "@/lib/upgrades/plan-upgrade-runs";
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

      const plan = planUpgradeRuns({ actor, instanceId, input, ...(opts.trigger ? { trigger: opts.trigger } : {}), ...(opts.systemChecklist ? { systemChecklist: opts.systemChecklist } : {}) }, instance.version, decision, now);
      const { firstStatus, startAt } = plan;
      const runIds: string[] = [];
      for (const run of plan.runs) runIds.push(await insertRun(tx, run));
      const id = runIds[0] as string;
      for (const entry of plan.audits(id)) await recordAudit(tx, actor, entry);
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
