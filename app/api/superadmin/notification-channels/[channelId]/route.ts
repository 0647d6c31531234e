import { apiRoute, parseParam, readJson } from "@/lib/http/api-route";
import { idSchema, updateChannelSchema } from "@/lib/notifications/schemas";
import { updateChannel } from "@/lib/notifications/update-channel";
import { deleteChannel } from "@/lib/notifications/delete-channel";

export const PATCH = apiRoute<{ channelId: string }>("notification:manage", async ({ req, actor, params }) => {
  const channelId = parseParam(params.channelId, idSchema, "notification channel");
  return Response.json({ channel: await updateChannel({ actor, channelId, input: await readJson(req, updateChannelSchema) }) });
});

export const DELETE = apiRoute<{ channelId: string }>("notification:manage", async ({ actor, params }) =>
  Response.json(await deleteChannel({ actor, channelId: parseParam(params.channelId, idSchema, "notification channel") })),
);
