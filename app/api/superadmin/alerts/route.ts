import { apiRoute, parseQuery } from "@/lib/http/api-route";
import { listAlerts } from "@/lib/alerts/list-alerts";
import { listAlertsQuerySchema } from "@/lib/alerts/schemas";

export const GET = apiRoute("alert:read", async ({ req, actor }) => Response.json({ alerts: await listAlerts({ actor, query: parseQuery(req, listAlertsQuerySchema) }) }));
