import { apiRoute, parseParam } from "@/lib/http/api-route";
import { deleteFreeze } from "@/lib/channels/freeze-periods";
import { freezeIdSchema } from "@/lib/channels/schemas";

export const DELETE = apiRoute<{ id: string }>("freeze:manage", async ({ actor, params }) => {
  const id = parseParam(params.id, freezeIdSchema, "freeze");
  return Response.json(await deleteFreeze({ actor, id }));
});
