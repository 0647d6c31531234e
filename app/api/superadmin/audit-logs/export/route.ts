import { apiRoute, parseQuery } from "@/lib/http/api-route";
import { auditFilterSchema } from "@/lib/audit/schemas";
import { exportAuditCsv } from "@/lib/audit/export-audit-csv";

export const GET = apiRoute("audit:read", async ({ req, actor }) => {
  const { cursor: _cursor, limit: _limit, ...filter } = parseQuery(req, auditFilterSchema);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return new Response(exportAuditCsv(actor, filter), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="audit-log-${stamp}.csv"`,
      "cache-control": "no-store",
    },
  });
});
