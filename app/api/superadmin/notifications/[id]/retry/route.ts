import { apiRoute, parseParam } from "@/lib/http/api-route";
import { idSchema } from "@/lib/notifications/schemas";
import { retryNotification } from "@/lib/notifications/retry-notification";

export const POST = apiRoute<{ id: string }>("notification:manage", async ({ actor, params }) =>
  Response.json(await retryNotification({ actor, id: parseParam(params.id, idSchema, "notification") }), { status: 202 }),
);
