import { apiRoute, parseQuery, readJson } from "@/lib/http/api-route";
import { auditCreateSchema, auditFilterSchema } from "@/lib/audit/schemas";
import { listAuditLogs } from "@/lib/audit/list-audit-logs";
import { createAuditLog } from "@/lib/audit/create-audit-log";

export const GET = apiRoute("audit:read", async ({ req, actor }) => {
  const { entries, nextCursor } = await listAuditLogs({ actor, filter: parseQuery(req, auditFilterSchema) });
  return Response.json({ auditLogs: entries, nextCursor });
});

export const POST = apiRoute("audit:write", async ({ req, actor }) => {
  const input = await readJson(req, auditCreateSchema);
  return Response.json({ auditLog: await createAuditLog({ actor, input }) }, { status: 201 });
});
