import { apiRoute, parseParam, readJson } from "@/lib/http/api-route";
import { rollbackSchema, runIdSchema } from "@/lib/upgrades/schemas";
import { rollbackUpgrade } from "@/lib/upgrades/run-actions";

export const POST = apiRoute<{ id: string }>("rollback:run", async ({ req, actor, params }) => {
  const runId = parseParam(params.id, runIdSchema, "upgrade");
  const hasBody = (req.headers.get("content-length") ?? "0") !== "0" || req.headers.has("content-type");
  const input = hasBody ? await readJson(req, rollbackSchema) : {};
  return Response.json(await rollbackUpgrade({ actor, runId, ...(input.reason ? { reason: input.reason } : {}), ...(input.acknowledgeDataLoss ? { acknowledgeDataLoss: true } : {}) }), { status: 202 });
});
