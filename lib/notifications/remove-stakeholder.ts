import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";

export async function removeStakeholder(opts: { actor: Actor | null; stakeholderId: string }): Promise<{ deleted: true }> {
  requirePermission(opts.actor, "notification:manage");
  const { actor, stakeholderId } = opts;
  return getDb().$transaction(async (tx) => {
    const s = await tx.stakeholder.findUnique({ where: { id: stakeholderId } });
    if (!s) throw new AppError("not_found", `No stakeholder with id ${stakeholderId}.`);
    await tx.stakeholder.delete({ where: { id: stakeholderId } });
    await recordAudit(tx, actor, { action: "notification.stakeholder.remove", resourceType: "instance", resourceId: s.instanceId, metadata: { stakeholderId, name: s.name, email: s.email } });
    return { deleted: true as const };
  });
}
