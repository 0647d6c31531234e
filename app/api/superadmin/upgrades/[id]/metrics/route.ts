import { apiRoute, parseParam } from "@/lib/http/api-route";
import { runIdSchema } from "@/lib/upgrades/schemas";
import { getRunMetrics } from "@/lib/monitoring/get-run-metrics";

export const GET = apiRoute<{ id: string }>("upgrade:read", async ({ actor, params }) =>
  Response.json(await getRunMetrics({ actor, runId: parseParam(params.id, runIdSchema, "upgrade") })),
);
