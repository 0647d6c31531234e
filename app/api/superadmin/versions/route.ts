import { apiRoute, parseQuery } from "@/lib/http/api-route";
import { listReleases, versionsQuerySchema } from "@/lib/releases/list-releases";

export const GET = apiRoute("release:read", async ({ req, actor }) =>
  Response.json({ versions: await listReleases({ actor, query: parseQuery(req, versionsQuerySchema) }) }),
);
