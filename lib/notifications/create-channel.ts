import "server-only";
import { randomBytes } from "node:crypto";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { encryptSecret } from "@/lib/crypto";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import { channelDto, type ChannelDto } from "@/lib/notifications/serialize";
import type { CreateChannelInput } from "@/lib/notifications/schemas";

/**
 * Adds a channel to an instance, or fleet-wide (`instanceId: null`, e.g. on-call). A webhook
 * without a secret gets a generated one, answered once as `secret`.
 */
export async function createChannel(opts: { actor: Actor | null; instanceId: string | null; input: CreateChannelInput }): Promise<{ channel: ChannelDto; secret?: string }> {
  requirePermission(opts.actor, "notification:manage");
  const { actor, instanceId, input } = opts;
  const generated = input.kind === "webhook" && !input.secret ? randomBytes(32).toString("base64url") : undefined;
  const secret = input.kind === "webhook" ? (input.secret ?? generated) : undefined;
  return getDb().$transaction(async (tx) => {
    if (instanceId && !(await tx.instance.findUnique({ where: { id: instanceId }, select: { id: true } }))) throw new AppError("not_found", `No instance with id ${instanceId}.`);
    const row = await tx.notificationChannel.create({
      data: { instanceId, kind: input.kind, name: input.name, targetEncrypted: encryptSecret(input.target), secretEncrypted: secret ? encryptSecret(secret) : null, events: input.events, enabled: input.enabled },
    });
    await recordAudit(tx, actor, { action: "notification.channel.create", resourceType: instanceId ? "instance" : "notification_channel", resourceId: instanceId ?? row.id, metadata: { channelId: row.id, kind: row.kind, name: row.name, events: row.events, fleetWide: instanceId === null } });
    return { channel: channelDto(row), ...(generated ? { secret: generated } : {}) };
  });
}
