import { apiRoute, parseParam } from "@/lib/http/api-route";
import { idSchema } from "@/lib/notifications/schemas";
import { sendTestNotification } from "@/lib/notifications/send-test-notification";

export const POST = apiRoute<{ channelId: string }>("notification:manage", async ({ actor, params }) =>
  Response.json(await sendTestNotification({ actor, channelId: parseParam(params.channelId, idSchema, "notification channel") }), { status: 202 }),
);
