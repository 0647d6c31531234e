import "server-only";
import type { Tx } from "@/lib/db";
import { INSTANCE_CHANGES, type InstanceChange, type InstanceChangeName } from "@/lib/upgrades/lifecycle";

export type InstanceChangeDetails = { version?: string; maintenanceMessage?: string | null; attentionReason?: string };

/**
 * The one writer of an instance's status: the named change of the lifecycle table, with what it
 * implies for maintenance mode, the version and the attention flag, in the caller's transaction.
 * A change with `from` moves the status only from one of those; its other fields are written anyway.
 */
export async function applyInstanceChange(tx: Tx, instanceId: string, name: InstanceChangeName, details: InstanceChangeDetails = {}): Promise<void> {
  const change: InstanceChange = INSTANCE_CHANGES[name];
  if (change.setsVersion && !details.version) throw new Error(`the instance change ${name} needs the version`);
  const rest = {
    ...(change.maintenance === "on" ? { maintenanceMode: true, ...(details.maintenanceMessage !== undefined ? { maintenanceMessage: details.maintenanceMessage } : {}) } : {}),
    ...(change.maintenance === "off" ? { maintenanceMode: false, maintenanceMessage: null } : {}),
    ...(change.setsVersion ? { version: details.version } : {}),
    ...(change.clearsAttention ? { attentionReason: null, attentionAt: null } : {}),
    ...(details.attentionReason !== undefined ? { attentionReason: details.attentionReason, attentionAt: new Date() } : {}),
  };
  if (!change.from) {
    await tx.instance.update({ where: { id: instanceId }, data: { status: change.to, ...rest } });
    return;
  }
  const n = await tx.instance.updateMany({ where: { id: instanceId, status: { in: [...change.from] } }, data: { status: change.to, ...rest } });
  if (n.count === 0 && Object.keys(rest).length > 0) await tx.instance.update({ where: { id: instanceId }, data: rest });
}
