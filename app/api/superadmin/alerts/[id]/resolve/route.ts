import { apiRoute, parseParam, readJson } from "@/lib/http/api-route";
import { resolveAlert } from "@/lib/alerts/resolve-alert";
import { alertIdSchema, resolveAlertSchema } from "@/lib/alerts/schemas";

export const POST = apiRoute<{ id: string }>("alert:resolve", async ({ req, actor, params }) => {
  const id = parseParam(params.id, alertIdSchema, "alert");
  // The body (an optional comment) may be left out entirely.
  const input = req.headers.has("content-type") ? await readJson(req, resolveAlertSchema) : {};
  return Response.json({ alert: await resolveAlert({ actor, id, input }) });
});
