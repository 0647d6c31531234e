import { apiRoute, parseParam, readJson } from "@/lib/http/api-route";
import { checklistUpdateSchema, runIdSchema } from "@/lib/upgrades/schemas";
import { updateChecklist } from "@/lib/upgrades/run-actions";

export const POST = apiRoute<{ id: string }>("upgrade:run", async ({ req, actor, params }) => {
  const runId = parseParam(params.id, runIdSchema, "upgrade");
  const input = await readJson(req, checklistUpdateSchema);
  return Response.json(await updateChecklist({ actor, runId, input }));
});
