import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { actorLabel, requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import { consoleLink } from "@/lib/notifications/enqueue-notification";
import type { NotificationPayload } from "@/lib/notifications/events";

/** Queues a test message to one channel; the worker sends it like any other row. */
export async function sendTestNotification(opts: { actor: Actor | null; channelId: string }): Promise<{ notification: { id: string; status: string } }> {
  requirePermission(opts.actor, "notification:manage");
  const { actor, channelId } = opts;
  return getDb().$transaction(async (tx) => {
    const ch = await tx.notificationChannel.findUnique({ where: { id: channelId }, include: { instance: { select: { id: true, name: true } } } });
    if (!ch) throw new AppError("not_found", `No notification channel with id ${channelId}.`);
    const payload: NotificationPayload = {
      event: "test",
      title: `Test message for "${ch.name}"`,
      message: `Sent from the WebWaka Upgrade Console by ${actorLabel(actor)} to check this channel.`,
      severity: "info",
      instance: ch.instance,
      run: null,
      link: consoleLink(ch.instance ? `/instances/${ch.instance.id}` : "/settings"),
      details: {},
    };
    const row = await tx.notificationOutbox.create({ data: { kind: ch.kind, channelId: ch.id, event: "test", instanceId: ch.instanceId, payload: payload as object } });
    await recordAudit(tx, actor, { action: "notification.channel.test", resourceType: ch.instanceId ? "instance" : "notification_channel", resourceId: ch.instanceId ?? ch.id, metadata: { channelId, notificationId: row.id } });
    return { notification: { id: row.id, status: row.status } };
  });
}
