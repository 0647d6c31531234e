import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import type { StakeholderDto } from "@/lib/notifications/list-stakeholders";
import type { StakeholderInput } from "@/lib/notifications/schemas";

/** A person who gets every event of the instance by email. */
export async function addStakeholder(opts: { actor: Actor | null; instanceId: string; input: StakeholderInput }): Promise<StakeholderDto> {
  requirePermission(opts.actor, "notification:manage");
  const { actor, instanceId, input } = opts;
  return getDb().$transaction(async (tx) => {
    if (!(await tx.instance.findUnique({ where: { id: instanceId }, select: { id: true } }))) throw new AppError("not_found", `No instance with id ${instanceId}.`);
    const email = input.email.toLowerCase();
    if (await tx.stakeholder.findUnique({ where: { instanceId_email: { instanceId, email } } })) throw new AppError("conflict", `${email} is already a stakeholder of this instance.`);
    const s = await tx.stakeholder.create({ data: { instanceId, name: input.name, email } });
    await recordAudit(tx, actor, { action: "notification.stakeholder.add", resourceType: "instance", resourceId: instanceId, metadata: { stakeholderId: s.id, name: s.name, email } });
    return { id: s.id, instanceId, name: s.name, email: s.email, createdAt: s.createdAt.toISOString() };
  });
}
