"use server";
import { z } from "zod";
import { safeAction } from "@/lib/actions/safe-action";
import { createFreeze, deleteFreeze } from "@/lib/channels/freeze-periods";
import { createFreezeSchema, freezeIdSchema } from "@/lib/channels/schemas";

const createImpl = safeAction("freeze:manage", createFreezeSchema, (input, actor) => createFreeze({ actor, input }));
const deleteImpl = safeAction("freeze:manage", z.object({ id: freezeIdSchema }).strict(), (input, actor) => deleteFreeze({ actor, id: input.id }));

export async function createFreezeAction(input: unknown) {
  return createImpl(input);
}

export async function deleteFreezeAction(input: unknown) {
  return deleteImpl(input);
}
