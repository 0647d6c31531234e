import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { channelDto, type ChannelDto } from "@/lib/notifications/serialize";

/** An instance's own channels, or the fleet-wide ones (`instanceId: null`). Targets masked. */
export async function listChannels(opts: { actor: Actor | null; instanceId: string | null }): Promise<ChannelDto[]> {
  requirePermission(opts.actor, "notification:read");
  const db = getDb();
  if (opts.instanceId && !(await db.instance.findUnique({ where: { id: opts.instanceId }, select: { id: true } }))) throw new AppError("not_found", `No instance with id ${opts.instanceId}.`);
  const rows = await db.notificationChannel.findMany({ where: { instanceId: opts.instanceId }, orderBy: { createdAt: "asc" } });
  return rows.map(channelDto);
}
