import "server-only";
import { getEnv } from "@/lib/env";
import { postJson } from "@/lib/notifications/post-json";
import type { Delivery } from "@/lib/notifications/delivery";

/** PagerDuty Events API v2: the channel's target is the integration's routing key. */
export async function sendPagerDuty(d: Delivery): Promise<void> {
  const p = d.payload;
  // One incident per run (or alert) and event, however many times the row is retried.
  const subject = p.run?.id ?? (typeof p.details.alertId === "string" ? p.details.alertId : d.id);
  const body = {
    routing_key: d.target,
    event_action: "trigger",
    dedup_key: `webwaka:${p.event}:${subject}`,
    payload: {
      summary: p.title.slice(0, 1024),
      source: p.instance?.name ?? "webwaka-upgrade-console",
      severity: p.severity,
      component: "upgrade-console",
      custom_details: { event: p.event, message: p.message, instance: p.instance, run: p.run, link: p.link, ...p.details },
    },
    ...(p.link ? { links: [{ href: p.link, text: "Open in the console" }] } : {}),
  };
  await postJson(getEnv().PAGERDUTY_EVENTS_URL, JSON.stringify(body));
}
