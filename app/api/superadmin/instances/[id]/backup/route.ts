import { apiRoute, parseParam } from "@/lib/http/api-route";
import { instanceIdSchema } from "@/lib/instances/schemas";
import { requestBackup } from "@/lib/backups/request-backup";

export const POST = apiRoute<{ id: string }>("backup:run", async ({ actor, params }) =>
  Response.json(await requestBackup({ actor, instanceId: parseParam(params.id, instanceIdSchema, "instance") }), { status: 202 }),
);
