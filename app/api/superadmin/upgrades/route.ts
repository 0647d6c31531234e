import { apiRoute, parseQuery } from "@/lib/http/api-route";
import { upgradesQuerySchema } from "@/lib/upgrades/schemas";
import { listUpgrades } from "@/lib/upgrades/list-upgrades";

export const GET = apiRoute("upgrade:read", async ({ req, actor }) => {
  const q = parseQuery(req, upgradesQuerySchema);
  return Response.json({ upgrades: await listUpgrades({ actor, ...(q.status ? { status: [q.status] } : {}), ...(q.instanceId ? { instanceId: q.instanceId } : {}) }) });
});
