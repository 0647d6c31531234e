import { apiRoute, parseParam, readJson } from "@/lib/http/api-route";
import { getInstance } from "@/lib/instances/get-instance";
import { updateInstance } from "@/lib/instances/update-instance";
import { instanceIdSchema, updateInstanceSchema } from "@/lib/instances/schemas";

type Params = { id: string };

export const GET = apiRoute<Params>("instance:read", async ({ actor, params }) =>
  Response.json(await getInstance({ actor, id: parseParam(params.id, instanceIdSchema, "instance") })),
);

export const PATCH = apiRoute<Params>("instance:update", async ({ req, actor, params }) => {
  const id = parseParam(params.id, instanceIdSchema, "instance");
  const input = await readJson(req, updateInstanceSchema);
  return Response.json(await updateInstance({ actor, id, input }));
});
