import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import { serializeAlert, type AlertDto } from "@/lib/alerts/list-alerts";
import type { ResolveAlertInput } from "@/lib/alerts/schemas";

/**
 * A superadmin resolves an alert by hand (audited). If its condition still holds, the next
 * evaluation opens a new one: resolving acknowledges, it does not silence.
 */
export async function resolveAlert(opts: { actor: Actor | null; id: string; input: ResolveAlertInput }): Promise<AlertDto> {
  requirePermission(opts.actor, "alert:resolve");
  const { actor, id, input } = opts;
  return getDb().$transaction(async (tx) => {
    const n = await tx.alert.updateMany({ where: { id, status: "open" }, data: { status: "resolved", resolvedAt: new Date() } });
    const alert = await tx.alert.findUnique({ where: { id }, include: { instance: { select: { name: true } } } });
    if (!alert) throw new AppError("not_found", `No alert with id ${id}.`);
    if (n.count === 0) throw new AppError("conflict", "The alert is already resolved.");
    await recordAudit(tx, actor, { action: "alert.resolve", resourceType: "alert", resourceId: id, metadata: { kind: alert.kind, key: alert.dedupKey, comment: input.comment ?? null, instanceId: alert.instanceId, runId: alert.runId } });
    return serializeAlert(alert);
  });
}
