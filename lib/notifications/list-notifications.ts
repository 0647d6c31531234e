import "server-only";
import { getDb } from "@/lib/db";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { notificationDto, type NotificationDto } from "@/lib/notifications/serialize";
import type { NotificationsQuery } from "@/lib/notifications/schemas";

/** The outbox, newest first, filtered by status, instance or run. */
export async function listNotifications(opts: { actor: Actor | null; query: NotificationsQuery }): Promise<NotificationDto[]> {
  requirePermission(opts.actor, "notification:read");
  const { status, instanceId, runId, limit } = opts.query;
  const rows = await getDb().notificationOutbox.findMany({
    where: { ...(status ? { status } : {}), ...(instanceId ? { instanceId } : {}), ...(runId ? { runId } : {}) },
    include: { channel: { select: { name: true } } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  return rows.map(notificationDto);
}
