import { z } from "zod";
import { CHANNEL_KINDS, OUTBOX_STATUSES, SUBSCRIBABLE_EVENTS } from "@/lib/notifications/events";

export const idSchema = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "is not an id");

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).max(2000);

/** What a channel's target must look like, by kind. */
export const TARGET_SCHEMAS = {
  email: z.email({ error: "must be an email address" }).max(254),
  slack: httpUrl,
  webhook: httpUrl,
  pagerduty: z.string().trim().regex(/^[A-Za-z0-9]{32}$/, "must be a PagerDuty routing key: 32 letters and digits"),
} as const;

const secretSchema = z.string().min(16, "at least 16 characters").max(256);
const eventsSchema = z.array(z.enum(SUBSCRIBABLE_EVENTS)).max(SUBSCRIBABLE_EVENTS.length).default([]);
const nameSchema = z.string().trim().min(1).max(80);

const common = { name: nameSchema, events: eventsSchema, enabled: z.boolean().default(true) };

export const createChannelSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("email"), target: TARGET_SCHEMAS.email, ...common }).strict(),
  z.object({ kind: z.literal("slack"), target: TARGET_SCHEMAS.slack, ...common }).strict(),
  z.object({ kind: z.literal("pagerduty"), target: TARGET_SCHEMAS.pagerduty, ...common }).strict(),
  // Without a secret the console generates one and shows it once.
  z.object({ kind: z.literal("webhook"), target: TARGET_SCHEMAS.webhook, secret: secretSchema.optional(), ...common }).strict(),
]);
export type CreateChannelInput = z.output<typeof createChannelSchema>;

export const updateChannelSchema = z
  .object({ name: nameSchema.optional(), events: z.array(z.enum(SUBSCRIBABLE_EVENTS)).max(SUBSCRIBABLE_EVENTS.length).optional(), enabled: z.boolean().optional(), target: z.string().trim().min(1).max(2000).optional(), secret: secretSchema.optional() })
  .strict();
export type UpdateChannelInput = z.output<typeof updateChannelSchema>;

export const stakeholderSchema = z.object({ name: z.string().trim().min(1).max(120), email: z.email({ error: "must be an email address" }).max(254) }).strict();
export type StakeholderInput = z.output<typeof stakeholderSchema>;

export const notificationsQuerySchema = z.object({
  status: z.enum(OUTBOX_STATUSES).optional(),
  instanceId: idSchema.optional(),
  runId: idSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type NotificationsQuery = z.output<typeof notificationsQuerySchema>;

export const channelKindSchema = z.enum(CHANNEL_KINDS);
