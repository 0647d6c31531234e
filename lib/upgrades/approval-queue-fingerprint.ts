import "server-only";
import { getDb } from "@/lib/db";
import { requirePermission, type Actor } from "@/lib/auth/actor";

/** What the approval queue shows, reduced to a string that changes when the page would. */
export async function approvalQueueFingerprint(actor: Actor | null): Promise<string> {
  requirePermission(actor, "upgrade:read");
  const rows = await getDb().upgradeRun.findMany({
    where: { status: "pending_approval" },
    select: { id: true, updatedAt: true, _count: { select: { approvals: true } } },
    orderBy: { id: "asc" },
  });
  return rows.map((r) => `${r.id}:${r.updatedAt.getTime()}:${r._count.approvals}`).join(",");
}
