import type { NotificationPayload } from "@/lib/notifications/events";

/** The plain-text body shared by email and chat: title, summary lines, link. */
export function messageText(p: NotificationPayload): string {
  return [p.title, "", p.message, ...(p.link ? ["", `Open in the console: ${p.link}`] : [])].join("\n").replace(/\n{3,}/g, "\n\n").trim();
}
