import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";

/** Removes a channel; its past deliveries stay in the outbox, unlinked. */
export async function deleteChannel(opts: { actor: Actor | null; channelId: string }): Promise<{ deleted: true }> {
  requirePermission(opts.actor, "notification:manage");
  const { actor, channelId } = opts;
  return getDb().$transaction(async (tx) => {
    const ch = await tx.notificationChannel.findUnique({ where: { id: channelId } });
    if (!ch) throw new AppError("not_found", `No notification channel with id ${channelId}.`);
    await tx.notificationChannel.delete({ where: { id: channelId } });
    await recordAudit(tx, actor, { action: "notification.channel.delete", resourceType: ch.instanceId ? "instance" : "notification_channel", resourceId: ch.instanceId ?? ch.id, metadata: { channelId, kind: ch.kind, name: ch.name } });
    return { deleted: true as const };
  });
}
