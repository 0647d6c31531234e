import { apiRoute, parseParam } from "@/lib/http/api-route";
import { idSchema } from "@/lib/notifications/schemas";
import { removeStakeholder } from "@/lib/notifications/remove-stakeholder";

export const DELETE = apiRoute<{ id: string }>("notification:manage", async ({ actor, params }) =>
  Response.json(await removeStakeholder({ actor, stakeholderId: parseParam(params.id, idSchema, "stakeholder") })),
);
