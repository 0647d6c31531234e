import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import type { CreateFreezeInput } from "@/lib/channels/schemas";

export type FreezeDto = { id: string; instanceId: string | null; instanceName: string | null; startsAt: string; endsAt: string; reason: string; active: boolean };

type FreezeRow = { id: string; instanceId: string | null; startsAt: Date; endsAt: Date; reason: string; instance: { name: string } | null };

function toDto(f: FreezeRow, now = new Date()): FreezeDto {
  return { id: f.id, instanceId: f.instanceId, instanceName: f.instance?.name ?? null, startsAt: f.startsAt.toISOString(), endsAt: f.endsAt.toISOString(), reason: f.reason, active: f.startsAt <= now && f.endsAt > now };
}

/** Freezes that have not ended: one instance's and the fleet's, or all of them. */
export async function listFreezes(opts: { actor: Actor | null; instanceId?: string }): Promise<FreezeDto[]> {
  requirePermission(opts.actor, "instance:read");
  const rows = await getDb().freezePeriod.findMany({
    where: { endsAt: { gt: new Date() }, ...(opts.instanceId ? { OR: [{ instanceId: opts.instanceId }, { instanceId: null }] } : {}) },
    include: { instance: { select: { name: true } } },
    orderBy: { startsAt: "asc" },
  });
  return rows.map((r) => toDto(r));
}

export async function createFreeze(opts: { actor: Actor | null; input: CreateFreezeInput }): Promise<FreezeDto> {
  requirePermission(opts.actor, "freeze:manage");
  const { actor, input } = opts;
  return getDb().$transaction(async (tx) => {
    if (input.instanceId && !(await tx.instance.findUnique({ where: { id: input.instanceId }, select: { id: true } }))) {
      throw new AppError("validation_failed", `No instance with id ${input.instanceId}.`, { fieldErrors: { instanceId: ["is not an instance"] } });
    }
    const row = await tx.freezePeriod.create({
      data: { instanceId: input.instanceId ?? null, startsAt: new Date(input.startsAt), endsAt: new Date(input.endsAt), reason: input.reason },
      include: { instance: { select: { name: true } } },
    });
    await recordAudit(tx, actor, {
      action: "instance.freeze.create",
      resourceType: input.instanceId ? "instance" : "fleet",
      resourceId: input.instanceId ?? null,
      metadata: { freezeId: row.id, startsAt: input.startsAt, endsAt: input.endsAt, reason: input.reason },
    });
    return toDto(row);
  });
}

export async function deleteFreeze(opts: { actor: Actor | null; id: string }): Promise<{ id: string; deleted: true }> {
  requirePermission(opts.actor, "freeze:manage");
  const { actor, id } = opts;
  return getDb().$transaction(async (tx) => {
    const row = await tx.freezePeriod.findUnique({ where: { id } });
    if (!row) throw new AppError("not_found", `No freeze with id ${id}.`);
    await tx.freezePeriod.delete({ where: { id } });
    await recordAudit(tx, actor, {
      action: "instance.freeze.delete",
      resourceType: row.instanceId ? "instance" : "fleet",
      resourceId: row.instanceId,
      metadata: { freezeId: id, startsAt: row.startsAt.toISOString(), endsAt: row.endsAt.toISOString(), reason: row.reason },
    });
    return { id, deleted: true as const };
  });
}
