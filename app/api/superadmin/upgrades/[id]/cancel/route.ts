import { apiRoute, parseParam } from "@/lib/http/api-route";
import { runIdSchema } from "@/lib/upgrades/schemas";
import { cancelUpgrade } from "@/lib/upgrades/run-actions";

export const POST = apiRoute<{ id: string }>("upgrade:run", async ({ actor, params }) =>
  Response.json(await cancelUpgrade({ actor, runId: parseParam(params.id, runIdSchema, "upgrade") }), { status: 202 }),
);
