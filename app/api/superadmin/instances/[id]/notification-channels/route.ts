import { apiRoute, parseParam, readJson } from "@/lib/http/api-route";
import { instanceIdSchema } from "@/lib/instances/schemas";
import { createChannelSchema } from "@/lib/notifications/schemas";
import { listChannels } from "@/lib/notifications/list-channels";
import { createChannel } from "@/lib/notifications/create-channel";

export const GET = apiRoute<{ id: string }>("notification:read", async ({ actor, params }) =>
  Response.json({ channels: await listChannels({ actor, instanceId: parseParam(params.id, instanceIdSchema, "instance") }) }),
);

export const POST = apiRoute<{ id: string }>("notification:manage", async ({ req, actor, params }) => {
  const instanceId = parseParam(params.id, instanceIdSchema, "instance");
  return Response.json(await createChannel({ actor, instanceId, input: await readJson(req, createChannelSchema) }), { status: 201 });
});
