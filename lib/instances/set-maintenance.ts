import "server-only";
import { applyInstanceChange } from "@/lib/instances/apply-instance-change";
import { getDb, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import { instanceInclude, serializeInstance, type InstanceDto } from "@/lib/instances/serialize-instance";
import { loadRuntime } from "@/lib/runtime/load-runtime";
import { enterPlatformMaintenance, leavePlatformMaintenance } from "@/lib/runtime/platform-client";
import type { MaintenanceInput } from "@/lib/instances/schemas";

const DEFAULT_MESSAGE = "System upgrade in progress.";

async function lockIdle(tx: Tx, id: string) {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM instances WHERE id = ${id} FOR UPDATE`;
  if (locked.length === 0) throw new AppError("not_found", `No instance with id ${id}.`);
  const row = await tx.instance.findUniqueOrThrow({ where: { id }, include: { ...instanceInclude, host: true } });
  if (row.activeRun || row.status === "upgrading" || row.status === "rolling_back") {
    throw new AppError("conflict", "An upgrade run controls maintenance mode on this instance now.", { activeUpgradeId: row.activeRun?.id ?? null });
  }
  return row;
}

/**
 * The runbook's maintenance switch (steps 4 and 10) by hand: it switches the platform itself
 * (the maintenance page and the job queue), then records the flag. While a run is active the engine
 * owns the switch, so a manual toggle is refused rather than raced. This is also how an operator
 * repairs an instance left in maintenance by a failed undo: success clears its attention flag.
 */
export async function setMaintenance(opts: { actor: Actor | null; id: string; input: MaintenanceInput }): Promise<InstanceDto> {
  requirePermission(opts.actor, "instance:maintenance");
  const { actor, id, input } = opts;
  const db = getDb();
  const before = await db.$transaction((tx) => lockIdle(tx, id));
  const message = input.enabled ? input.message || DEFAULT_MESSAGE : null;
  const loaded = await loadRuntime(before);
  let failure: string | null = null;
  try {
    if (message !== null) await enterPlatformMaintenance(loaded.baseUrl, loaded.runtime.adminToken, message);
    else await leavePlatformMaintenance(loaded.baseUrl, loaded.runtime.adminToken);
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
  }
  const action = input.enabled ? "instance.maintenance.enable" : "instance.maintenance.disable";
  if (failure !== null) {
    // The attempt is on record; the error answers after it commits.
    await db.$transaction((tx) => recordAudit(tx, actor, { action, resourceType: "instance", resourceId: id, result: "failure", metadata: { instanceName: before.name, error: failure } }));
    throw new AppError("unavailable", `The instance did not switch maintenance mode ${input.enabled ? "on" : "off"}: ${failure}`);
  }
  return db.$transaction(async (tx) => {
    const now = await lockIdle(tx, id);
    await applyInstanceChange(tx, id, input.enabled ? "operator_maintenance_on" : "operator_maintenance_off", { maintenanceMessage: message });
    await recordAudit(tx, actor, {
      action,
      resourceType: "instance",
      resourceId: id,
      metadata: { instanceName: now.name, message, wasEnabled: now.maintenanceMode, ...(now.attentionReason ? { clearedAttention: now.attentionReason } : {}) },
    });
    return serializeInstance(await tx.instance.findUniqueOrThrow({ where: { id }, include: instanceInclude }));
  });
}
