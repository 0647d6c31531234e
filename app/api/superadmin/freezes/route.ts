import { apiRoute, parseQuery, readJson } from "@/lib/http/api-route";
import { createFreeze, listFreezes } from "@/lib/channels/freeze-periods";
import { createFreezeSchema, listFreezesQuerySchema } from "@/lib/channels/schemas";

export const GET = apiRoute("instance:read", async ({ req, actor }) => {
  const q = parseQuery(req, listFreezesQuerySchema);
  return Response.json({ freezes: await listFreezes({ actor, ...(q.instanceId ? { instanceId: q.instanceId } : {}) }) });
});

export const POST = apiRoute("freeze:manage", async ({ req, actor }) => {
  const input = await readJson(req, createFreezeSchema);
  return Response.json({ freeze: await createFreeze({ actor, input }) }, { status: 201 });
});
