import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import { instanceInclude, serializeInstance, type InstanceDto } from "@/lib/instances/serialize-instance";
import type { MaintenanceInput } from "@/lib/instances/schemas";

const DEFAULT_MESSAGE = "System upgrade in progress.";

// The runbook's maintenance call (steps 4 and 10). This records the console-side flag; while a
// run is active the engine owns the switch, so a manual toggle is refused rather than raced.
export async function setMaintenance(opts: { actor: Actor | null; id: string; input: MaintenanceInput }): Promise<InstanceDto> {
  requirePermission(opts.actor, "instance:maintenance");
  const { actor, id, input } = opts;
  return getDb().$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM instances WHERE id = ${id} FOR UPDATE`;
    if (locked.length === 0) throw new AppError("not_found", `No instance with id ${id}.`);
    const before = await tx.instance.findUniqueOrThrow({ where: { id }, include: instanceInclude });
    if (before.activeRun || before.status === "upgrading" || before.status === "rolling_back") {
      throw new AppError("conflict", "An upgrade run controls maintenance mode on this instance now.", {
        activeUpgradeId: before.activeRun?.id ?? null,
      });
    }
    const status = input.enabled ? "maintenance" : before.status === "maintenance" ? "active" : before.status;
    await tx.instance.update({
      where: { id },
      data: {
        maintenanceMode: input.enabled,
        maintenanceMessage: input.enabled ? (input.message || DEFAULT_MESSAGE) : null,
        status,
      },
    });
    await recordAudit(tx, actor, {
      action: input.enabled ? "instance.maintenance.enable" : "instance.maintenance.disable",
      resourceType: "instance",
      resourceId: id,
      metadata: { instanceName: before.name, message: input.enabled ? (input.message || DEFAULT_MESSAGE) : null, wasEnabled: before.maintenanceMode },
    });
    return serializeInstance(await tx.instance.findUniqueOrThrow({ where: { id }, include: instanceInclude }));
  });
}
