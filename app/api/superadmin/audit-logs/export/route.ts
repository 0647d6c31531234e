import { apiRoute, parseQuery } from "@/lib/http/api-route";
import { auditFilterSchema } from "@/lib/audit/schemas";
import { exportAuditCsv } from "@/lib/audit/list-audit-logs";

export const GET = apiRoute("audit:read", async ({ req, actor }) => {
  const { cursor: _cursor, limit: _limit, ...filter } = parseQuery(req, auditFilterSchema);
  const rows = exportAuditCsv(actor, filter);
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await rows.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="audit-log-${stamp}.csv"`,
      "cache-control": "no-store",
    },
  });
});
