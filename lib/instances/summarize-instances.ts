import "server-only";
import { getDb } from "@/lib/db";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { compareVersions } from "@/lib/versions";
import { InstanceStatus } from "@/generated/prisma/enums";

export type InstanceSummary = {
  total: number;
  inMaintenance: number;
  /** Newest version first. */
  byVersion: { version: string; count: number }[];
  byStatus: { status: InstanceStatus; count: number }[];
};

/** The dashboard's fleet counts, from one grouped query instead of every instance's row. */
export async function summarizeInstances(opts: { actor: Actor | null }): Promise<InstanceSummary> {
  requirePermission(opts.actor, "instance:read");
  const groups = await getDb().instance.groupBy({ by: ["version", "status", "maintenanceMode"], _count: { _all: true } });
  const byVersion = new Map<string, number>();
  const byStatus = new Map<InstanceStatus, number>();
  let total = 0;
  let inMaintenance = 0;
  for (const g of groups) {
    const n = g._count._all;
    total += n;
    if (g.maintenanceMode) inMaintenance += n;
    byVersion.set(g.version, (byVersion.get(g.version) ?? 0) + n);
    byStatus.set(g.status, (byStatus.get(g.status) ?? 0) + n);
  }
  return {
    total,
    inMaintenance,
    byVersion: [...byVersion.entries()].sort(([a], [b]) => compareVersions(b, a)).map(([version, count]) => ({ version, count })),
    // In the schema's order (active first), whatever order the groups came in.
    byStatus: Object.values(InstanceStatus).flatMap((status) => (byStatus.has(status) ? [{ status, count: byStatus.get(status) ?? 0 }] : [])),
  };
}
