"use server";
import { z } from "zod";
import { safeAction } from "@/lib/actions/safe-action";
import { instanceIdSchema } from "@/lib/instances/schemas";
import { createChannelSchema, idSchema, stakeholderSchema, updateChannelSchema } from "@/lib/notifications/schemas";
import { createChannel } from "@/lib/notifications/create-channel";
import { updateChannel } from "@/lib/notifications/update-channel";
import { deleteChannel } from "@/lib/notifications/delete-channel";
import { sendTestNotification } from "@/lib/notifications/send-test-notification";
import { addStakeholder } from "@/lib/notifications/add-stakeholder";
import { removeStakeholder } from "@/lib/notifications/remove-stakeholder";
import { retryNotification } from "@/lib/notifications/retry-notification";

const createImpl = safeAction("notification:manage", z.object({ instanceId: instanceIdSchema.nullable(), channel: createChannelSchema }), (i, actor) => createChannel({ actor, instanceId: i.instanceId, input: i.channel }));
const updateImpl = safeAction("notification:manage", z.object({ channelId: idSchema, changes: updateChannelSchema }), (i, actor) => updateChannel({ actor, channelId: i.channelId, input: i.changes }));
const deleteImpl = safeAction("notification:manage", z.object({ channelId: idSchema }), (i, actor) => deleteChannel({ actor, channelId: i.channelId }));
const testImpl = safeAction("notification:manage", z.object({ channelId: idSchema }), (i, actor) => sendTestNotification({ actor, channelId: i.channelId }));
const addImpl = safeAction("notification:manage", z.object({ instanceId: instanceIdSchema, stakeholder: stakeholderSchema }), (i, actor) => addStakeholder({ actor, instanceId: i.instanceId, input: i.stakeholder }));
const removeImpl = safeAction("notification:manage", z.object({ stakeholderId: idSchema }), (i, actor) => removeStakeholder({ actor, stakeholderId: i.stakeholderId }));
const retryImpl = safeAction("notification:manage", z.object({ id: idSchema }), (i, actor) => retryNotification({ actor, id: i.id }));

export async function createChannelAction(input: unknown) {
  return createImpl(input);
}

export async function updateChannelAction(input: unknown) {
  return updateImpl(input);
}

export async function deleteChannelAction(input: unknown) {
  return deleteImpl(input);
}

export async function sendTestNotificationAction(input: unknown) {
  return testImpl(input);
}

export async function addStakeholderAction(input: unknown) {
  return addImpl(input);
}

export async function removeStakeholderAction(input: unknown) {
  return removeImpl(input);
}

export async function retryNotificationAction(input: unknown) {
  return retryImpl(input);
}
