import { apiRoute, parseParam } from "@/lib/http/api-route";
import { runIdSchema } from "@/lib/upgrades/schemas";
import { getUpgrade } from "@/lib/upgrades/list-upgrades";

export const GET = apiRoute<{ id: string }>("upgrade:read", async ({ actor, params }) => Response.json(await getUpgrade({ actor, id: parseParam(params.id, runIdSchema, "upgrade") })));
