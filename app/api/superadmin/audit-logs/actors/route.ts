import { apiRoute, parseQuery } from "@/lib/http/api-route";
import { auditActorSearchSchema } from "@/lib/audit/schemas";
import { searchAuditActors } from "@/lib/audit/search-audit-actors";

export const GET = apiRoute("audit:read", async ({ req, actor }) => {
  return Response.json(await searchAuditActors({ actor, search: parseQuery(req, auditActorSearchSchema) }));
});
