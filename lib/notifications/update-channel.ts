import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { encryptSecret } from "@/lib/crypto";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import { fieldErrorsOf } from "@/lib/http/api-route";
import { channelDto, type ChannelDto } from "@/lib/notifications/serialize";
import { TARGET_SCHEMAS, type UpdateChannelInput } from "@/lib/notifications/schemas";

/** Renames, (un)subscribes, enables/disables, or replaces a channel's target or secret. */
export async function updateChannel(opts: { actor: Actor | null; channelId: string; input: UpdateChannelInput }): Promise<ChannelDto> {
  requirePermission(opts.actor, "notification:manage");
  const { actor, channelId, input } = opts;
  return getDb().$transaction(async (tx) => {
    const ch = await tx.notificationChannel.findUnique({ where: { id: channelId } });
    if (!ch) throw new AppError("not_found", `No notification channel with id ${channelId}.`);
    let targetEncrypted: string | undefined;
    if (input.target !== undefined) {
      const parsed = TARGET_SCHEMAS[ch.kind].safeParse(input.target);
      if (!parsed.success) throw new AppError("validation_failed", "The request is not valid.", { fieldErrors: { target: Object.values(fieldErrorsOf(parsed.error)).flat() } });
      targetEncrypted = encryptSecret(parsed.data);
    }
    if (input.secret !== undefined && ch.kind !== "webhook") throw new AppError("validation_failed", "Only webhooks have a signing secret.", { fieldErrors: { secret: ["only webhooks have a signing secret"] } });
    const row = await tx.notificationChannel.update({
      where: { id: channelId },
      data: { name: input.name, events: input.events, enabled: input.enabled, targetEncrypted, ...(input.secret !== undefined ? { secretEncrypted: encryptSecret(input.secret) } : {}) },
    });
    const changed = Object.keys(input).map((k) => (k === "target" || k === "secret" ? `${k} (replaced)` : k));
    await recordAudit(tx, actor, { action: "notification.channel.update", resourceType: ch.instanceId ? "instance" : "notification_channel", resourceId: ch.instanceId ?? ch.id, metadata: { channelId, changed, enabled: row.enabled, events: row.events } });
    return channelDto(row);
  });
}
