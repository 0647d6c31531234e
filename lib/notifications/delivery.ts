import type { NotificationPayload } from "@/lib/notifications/events";

/** One outbox row ready to send: its decrypted target and secret live only in memory. */
export type Delivery = {
  id: string;
  event: string;
  createdAt: Date;
  payload: NotificationPayload;
  target: string;
  secret: string | null;
};
