"use server";
import { z } from "zod";
import { safeAction } from "@/lib/actions/safe-action";
import { updateInstance } from "@/lib/instances/update-instance";
import { setMaintenance } from "@/lib/instances/set-maintenance";
import { instanceIdSchema, maintenanceSchema, updateInstanceSchema } from "@/lib/instances/schemas";

const updateInput = z.object({ id: instanceIdSchema, changes: updateInstanceSchema });
const maintenanceInput = z.object({ id: instanceIdSchema, maintenance: maintenanceSchema });

const updateImpl = safeAction("instance:update", updateInput, (input, actor) => updateInstance({ actor, id: input.id, input: input.changes }));
const maintenanceImpl = safeAction("instance:maintenance", maintenanceInput, (input, actor) => setMaintenance({ actor, id: input.id, input: input.maintenance }));

export async function updateInstanceAction(input: unknown) {
  return updateImpl(input);
}

export async function setMaintenanceAction(input: unknown) {
  return maintenanceImpl(input);
}
