import { apiRoute, parseParam, readJson } from "@/lib/http/api-route";
import { decisionSchema, runIdSchema } from "@/lib/upgrades/schemas";
import { approveUpgrade } from "@/lib/upgrades/run-actions";

export const POST = apiRoute<{ id: string }>("upgrade:approve", async ({ req, actor, params }) => {
  const runId = parseParam(params.id, runIdSchema, "upgrade");
  const input = await readJson(req, decisionSchema);
  return Response.json(await approveUpgrade({ actor, runId, comment: input.comment }));
});
