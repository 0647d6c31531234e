import "server-only";
import { getDb } from "@/lib/db";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import type { Alert } from "@/generated/prisma/client";
import type { ListAlertsQuery } from "@/lib/alerts/schemas";

export type AlertDto = {
  id: string;
  kind: Alert["kind"];
  status: Alert["status"];
  severity: string;
  message: string;
  value: number | null;
  threshold: number | null;
  instanceId: string | null;
  instanceName: string | null;
  runId: string | null;
  openedAt: string;
  resolvedAt: string | null;
};

export function serializeAlert(a: Alert & { instance: { name: string } | null }): AlertDto {
  return {
    id: a.id,
    kind: a.kind,
    status: a.status,
    severity: a.severity,
    message: a.message,
    value: a.value,
    threshold: a.threshold,
    instanceId: a.instanceId,
    instanceName: a.instance?.name ?? null,
    runId: a.runId,
    openedAt: a.openedAt.toISOString(),
    resolvedAt: a.resolvedAt?.toISOString() ?? null,
  };
}

/** Alerts, newest first; open ones by default on the dashboard. */
export async function listAlerts(opts: { actor: Actor | null; query: Partial<ListAlertsQuery> }): Promise<AlertDto[]> {
  requirePermission(opts.actor, "alert:read");
  const rows = await getDb().alert.findMany({
    where: opts.query.status ? { status: opts.query.status } : {},
    orderBy: { openedAt: "desc" },
    take: opts.query.limit ?? 50,
    include: { instance: { select: { name: true } } },
  });
  return rows.map(serializeAlert);
}
