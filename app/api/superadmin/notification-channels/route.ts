import { apiRoute, readJson } from "@/lib/http/api-route";
import { createChannelSchema } from "@/lib/notifications/schemas";
import { listChannels } from "@/lib/notifications/list-channels";
import { createChannel } from "@/lib/notifications/create-channel";

// Fleet-wide channels (such as on-call): they hear the events of every instance.
export const GET = apiRoute("notification:read", async ({ actor }) => Response.json({ channels: await listChannels({ actor, instanceId: null }) }));

export const POST = apiRoute("notification:manage", async ({ req, actor }) =>
  Response.json(await createChannel({ actor, instanceId: null, input: await readJson(req, createChannelSchema) }), { status: 201 }),
);
