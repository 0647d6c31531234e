import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import type { NotificationPayload } from "@/lib/notifications/events";

/** Sends a failed or dead row again now, with a fresh count of attempts. */
export async function retryNotification(opts: { actor: Actor | null; id: string }): Promise<{ notification: { id: string; status: "pending" } }> {
  requirePermission(opts.actor, "notification:manage");
  const { actor, id } = opts;
  return getDb().$transaction(async (tx) => {
    const row = await tx.notificationOutbox.findUnique({ where: { id } });
    if (!row) throw new AppError("not_found", `No notification with id ${id}.`);
    if (row.status !== "failed" && row.status !== "dead") throw new AppError("conflict", `The notification is ${row.status}; only failed or dead ones are retried.`);
    if (!row.channelId && !(row.payload as Partial<NotificationPayload>).to) throw new AppError("conflict", `No ${row.kind} channel was configured for this notification; add one and send a test instead.`);
    const n = await tx.notificationOutbox.updateMany({ where: { id, status: row.status }, data: { status: "pending", attempts: 0, nextAttemptAt: new Date() } });
    if (n.count === 0) throw new AppError("conflict", "The notification changed meanwhile; reload.");
    await recordAudit(tx, actor, { action: "notification.retry", resourceType: "notification", resourceId: id, metadata: { event: row.event, kind: row.kind, previousStatus: row.status, attempts: row.attempts, instanceId: row.instanceId, runId: row.runId } });
    return { notification: { id, status: "pending" as const } };
  });
}
