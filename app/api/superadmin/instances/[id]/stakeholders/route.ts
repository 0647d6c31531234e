import { apiRoute, parseParam, readJson } from "@/lib/http/api-route";
import { instanceIdSchema } from "@/lib/instances/schemas";
import { stakeholderSchema } from "@/lib/notifications/schemas";
import { listStakeholders } from "@/lib/notifications/list-stakeholders";
import { addStakeholder } from "@/lib/notifications/add-stakeholder";

export const GET = apiRoute<{ id: string }>("notification:read", async ({ actor, params }) =>
  Response.json({ stakeholders: await listStakeholders({ actor, instanceId: parseParam(params.id, instanceIdSchema, "instance") }) }),
);

export const POST = apiRoute<{ id: string }>("notification:manage", async ({ req, actor, params }) => {
  const instanceId = parseParam(params.id, instanceIdSchema, "instance");
  return Response.json({ stakeholder: await addStakeholder({ actor, instanceId, input: await readJson(req, stakeholderSchema) }) }, { status: 201 });
});
