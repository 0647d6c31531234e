import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requirePermission, type Actor } from "@/lib/auth/actor";

export type StakeholderDto = { id: string; instanceId: string; name: string; email: string; createdAt: string };

export async function listStakeholders(opts: { actor: Actor | null; instanceId: string }): Promise<StakeholderDto[]> {
  requirePermission(opts.actor, "notification:read");
  const inst = await getDb().instance.findUnique({ where: { id: opts.instanceId }, select: { stakeholders: { orderBy: { createdAt: "asc" } } } });
  if (!inst) throw new AppError("not_found", `No instance with id ${opts.instanceId}.`);
  return inst.stakeholders.map((s) => ({ id: s.id, instanceId: s.instanceId, name: s.name, email: s.email, createdAt: s.createdAt.toISOString() }));
}
