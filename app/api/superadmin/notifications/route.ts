import { apiRoute, parseQuery } from "@/lib/http/api-route";
import { notificationsQuerySchema } from "@/lib/notifications/schemas";
import { listNotifications } from "@/lib/notifications/list-notifications";

export const GET = apiRoute("notification:read", async ({ req, actor }) =>
  Response.json({ notifications: await listNotifications({ actor, query: parseQuery(req, notificationsQuerySchema) }) }),
);
