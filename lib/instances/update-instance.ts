import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import { channelFromDb, channelToDb } from "@/lib/instances/channels";
import { instanceInclude, serializeInstance, type InstanceDto } from "@/lib/instances/serialize-instance";
import type { UpdateInstanceInput } from "@/lib/instances/schemas";
import { monitoringPolicyChanges } from "@/lib/instances/monitoring-policy";

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

// The runbook's "Changing Update Channel" and "Version Pinning": one audited transaction.
export async function updateInstance(opts: { actor: Actor | null; id: string; input: UpdateInstanceInput }): Promise<InstanceDto> {
  requirePermission(opts.actor, "instance:update");
  const { actor, id, input } = opts;
  return getDb().$transaction(async (tx) => {
    // Lock the row so two concurrent edits serialise and each audit entry sees the true "from".
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM instances WHERE id = ${id} FOR UPDATE`;
    if (locked.length === 0) throw new AppError("not_found", `No instance with id ${id}.`);
    const before = await tx.instance.findUniqueOrThrow({ where: { id }, include: instanceInclude });

    if (input.pinnedVersion) {
      const release = await tx.release.findUnique({ where: { type_version: { type: "platform", version: input.pinnedVersion } } });
      if (!release) {
        throw new AppError("validation_failed", `Version ${input.pinnedVersion} is not a known platform release.`, {
          fieldErrors: { pinnedVersion: ["is not a known release"] },
        });
      }
    }

    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (input.updateChannel !== undefined && channelFromDb(before.updateChannel) !== input.updateChannel) {
      changes.updateChannel = { from: channelFromDb(before.updateChannel), to: input.updateChannel };
    }
    if (input.pinnedVersion !== undefined && before.pinnedVersion !== input.pinnedVersion) {
      changes.pinnedVersion = { from: before.pinnedVersion, to: input.pinnedVersion };
    }
    if (input.requiredApprovals !== undefined && before.requiredApprovals !== input.requiredApprovals) {
      changes.requiredApprovals = { from: before.requiredApprovals, to: input.requiredApprovals };
    }
    if (input.autoRollback !== undefined && before.autoRollback !== input.autoRollback) {
      changes.autoRollback = { from: before.autoRollback, to: input.autoRollback };
    }
    if (input.maintenanceWindow !== undefined) {
      const previous = serializeInstance(before).maintenanceWindow;
      if (JSON.stringify(previous) !== JSON.stringify(input.maintenanceWindow)) {
        changes.maintenanceWindow = { from: previous, to: input.maintenanceWindow };
      }
      await tx.maintenanceWindow.deleteMany({ where: { instanceId: id } });
      if (input.maintenanceWindow) {
        await tx.maintenanceWindow.createMany({
          data: input.maintenanceWindow.windows.map((w) => ({
            instanceId: id,
            dayOfWeek: w.dayOfWeek,
            startMinute: toMinutes(w.start),
            durationMinutes: w.durationMinutes,
          })),
        });
      }
    }

    const policy = monitoringPolicyChanges(before, input);
    Object.assign(changes, policy.changes);
    await tx.instance.update({
      where: { id },
      data: {
        ...policy.data,
        ...(input.updateChannel !== undefined ? { updateChannel: channelToDb(input.updateChannel) } : {}),
        ...(input.pinnedVersion !== undefined ? { pinnedVersion: input.pinnedVersion } : {}),
        ...(input.maintenanceWindow ? { timezone: input.maintenanceWindow.timezone } : {}),
        ...(input.requiredApprovals !== undefined ? { requiredApprovals: input.requiredApprovals } : {}),
        ...(input.autoRollback !== undefined ? { autoRollback: input.autoRollback } : {}),
      },
    });
    await recordAudit(tx, actor, {
      action: "instance.update",
      resourceType: "instance",
      resourceId: id,
      metadata: { instanceName: before.name, changes },
    });
    const after = await tx.instance.findUniqueOrThrow({ where: { id }, include: instanceInclude });
    return serializeInstance(after);
  });
}
