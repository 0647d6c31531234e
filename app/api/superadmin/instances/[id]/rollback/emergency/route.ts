import { apiRoute, parseParam, readJson } from "@/lib/http/api-route";
import { instanceIdSchema } from "@/lib/instances/schemas";
import { emergencyRollbackSchema } from "@/lib/upgrades/schemas";
import { emergencyRollback } from "@/lib/upgrades/emergency-rollback";

export const POST = apiRoute<{ id: string }>("rollback:run", async ({ req, actor, params }) => {
  const instanceId = parseParam(params.id, instanceIdSchema, "instance");
  // The runbook's call has no body; a reason is welcome when there is one.
  const hasBody = (req.headers.get("content-length") ?? "0") !== "0" || req.headers.has("content-type");
  const input = hasBody ? await readJson(req, emergencyRollbackSchema) : {};
  return Response.json(await emergencyRollback({ actor, instanceId, ...input }), { status: 202 });
});
