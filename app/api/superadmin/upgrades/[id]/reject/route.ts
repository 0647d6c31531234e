import { apiRoute, parseParam, readJson } from "@/lib/http/api-route";
import { rejectSchema, runIdSchema } from "@/lib/upgrades/schemas";
import { rejectUpgrade } from "@/lib/upgrades/run-actions";

export const POST = apiRoute<{ id: string }>("upgrade:approve", async ({ req, actor, params }) => {
  const runId = parseParam(params.id, runIdSchema, "upgrade");
  const input = await readJson(req, rejectSchema);
  return Response.json(await rejectUpgrade({ actor, runId, comment: input.comment }));
});
