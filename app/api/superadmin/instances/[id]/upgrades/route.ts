import { apiRoute, parseParam, readJson } from "@/lib/http/api-route";
import { instanceIdSchema } from "@/lib/instances/schemas";
import { createUpgradeSchema } from "@/lib/upgrades/schemas";
import { createUpgrade } from "@/lib/upgrades/create-upgrade";
import { getUpgrade } from "@/lib/upgrades/list-upgrades";

export const POST = apiRoute<{ id: string }>("upgrade:run", async ({ req, actor, params }) => {
  const instanceId = parseParam(params.id, instanceIdSchema, "instance");
  const input = await readJson(req, createUpgradeSchema);
  const created = await createUpgrade({ actor, instanceId, input });
  return Response.json({ upgrade: { ...(await getUpgrade({ actor, id: created.id })), path: created.path } }, { status: 201 });
});
