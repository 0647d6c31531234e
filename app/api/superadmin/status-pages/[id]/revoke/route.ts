import { apiRoute, parseParam } from "@/lib/http/api-route";
import { runIdSchema } from "@/lib/upgrades/schemas";
import { revokeStatusPage } from "@/lib/status-pages/status-pages";

export const POST = apiRoute<{ id: string }>("upgrade:run", async ({ actor, params }) => {
  await revokeStatusPage({ actor, id: parseParam(params.id, runIdSchema, "status page") });
  return Response.json({ revoked: true });
});
