import "server-only";
import type { Tx } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record-audit";
import { ALERTS_ACTOR } from "@/lib/alerts/open-alert";

/** The system resolves the open alert with this key, once its condition no longer holds. */
export async function closeAlert(tx: Tx, key: string, why: string): Promise<boolean> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`alert:${key}`}))`;
  const open = await tx.alert.findFirst({ where: { dedupKey: key, status: "open" }, select: { id: true, kind: true } });
  if (!open) return false;
  await tx.alert.update({ where: { id: open.id }, data: { status: "resolved", resolvedAt: new Date() } });
  await recordAudit(tx, ALERTS_ACTOR, { action: "alert.resolve", resourceType: "alert", resourceId: open.id, metadata: { kind: open.kind, key, why, by: "system" } });
  return true;
}
