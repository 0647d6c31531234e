import { apiRoute, parseParam, readJson } from "@/lib/http/api-route";
import { setMaintenance } from "@/lib/instances/set-maintenance";
import { instanceIdSchema, maintenanceSchema } from "@/lib/instances/schemas";

export const POST = apiRoute<{ id: string }>("instance:maintenance", async ({ req, actor, params }) => {
  const id = parseParam(params.id, instanceIdSchema, "instance");
  const input = await readJson(req, maintenanceSchema);
  return Response.json(await setMaintenance({ actor, id, input }));
});
