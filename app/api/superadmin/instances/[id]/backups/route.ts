import { apiRoute, parseParam } from "@/lib/http/api-route";
import { instanceIdSchema } from "@/lib/instances/schemas";
import { listBackups } from "@/lib/backups/request-backup";

export const GET = apiRoute<{ id: string }>("backup:read", async ({ actor, params }) =>
  Response.json({ backups: await listBackups({ actor, instanceId: parseParam(params.id, instanceIdSchema, "instance") }) }),
);
