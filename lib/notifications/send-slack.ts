import "server-only";
import { postJson } from "@/lib/notifications/post-json";
import { messageText } from "@/lib/notifications/format-message";
import type { Delivery } from "@/lib/notifications/delivery";

function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A Slack incoming webhook: the channel's target is the webhook URL. */
export async function sendSlack(d: Delivery): Promise<void> {
  const p = d.payload;
  const body = {
    text: messageText(p),
    blocks: [
      { type: "header", text: { type: "plain_text", text: p.title.slice(0, 150) } },
      ...(p.message ? [{ type: "section", text: { type: "mrkdwn", text: escapeMrkdwn(p.message).slice(0, 2900) } }] : []),
      ...(p.link ? [{ type: "section", text: { type: "mrkdwn", text: `<${p.link}|Open in the console>` } }] : []),
    ],
  };
  await postJson(d.target, JSON.stringify(body));
}
