import "server-only";
import { createHmac } from "node:crypto";
import { postJson } from "@/lib/notifications/post-json";
import { SendError } from "@/lib/notifications/send-error";
import type { Delivery } from "@/lib/notifications/delivery";

/** `sha256=` + hex HMAC-SHA256 of `${timestamp}.${body}` under the channel's secret (docs/api.md). */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** A generic signed webhook: JSON body, event and delivery id in headers, signed with the channel secret. */
export async function sendWebhook(d: Delivery): Promise<void> {
  if (!d.secret) throw new SendError("The webhook channel has no signing secret; set one.", true);
  const { to: _to, ...data } = d.payload;
  const body = JSON.stringify({ id: d.id, event: d.event, createdAt: d.createdAt.toISOString(), data });
  const timestamp = String(Math.floor(Date.now() / 1000));
  await postJson(d.target, body, {
    "x-webwaka-event": d.event,
    "x-webwaka-delivery": d.id,
    "x-webwaka-timestamp": timestamp,
    "x-webwaka-signature": signWebhook(d.secret, timestamp, body),
  });
}
