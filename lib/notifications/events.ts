// Shared by the server and the UI: no server-only imports here.
export const NOTIFICATION_EVENTS = [
  "upgrade.requested",
  "upgrade.approved",
  "upgrade.rejected",
  "upgrade.started",
  "upgrade.succeeded",
  "upgrade.failed",
  "upgrade.rolled_back",
  "upgrade.emergency_rollback",
  "alert.fired",
  "test",
] as const;

export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** The events a channel may subscribe to ("test" goes only to the channel being tested). */
export const SUBSCRIBABLE_EVENTS = NOTIFICATION_EVENTS.filter((e): e is Exclude<NotificationEvent, "test"> => e !== "test");

export const EVENT_LABELS: Record<NotificationEvent, string> = {
  "upgrade.requested": "Upgrade requested",
  "upgrade.approved": "Upgrade approved",
  "upgrade.rejected": "Upgrade rejected",
  "upgrade.started": "Upgrade started",
  "upgrade.succeeded": "Upgrade succeeded",
  "upgrade.failed": "Upgrade failed",
  "upgrade.rolled_back": "Upgrade rolled back",
  "upgrade.emergency_rollback": "Emergency rollback (pages on-call)",
  "alert.fired": "Alert fired",
  test: "Test message",
};

export const CHANNEL_KINDS = ["email", "slack", "pagerduty", "webhook"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const KIND_LABELS: Record<ChannelKind, string> = { email: "Email", slack: "Slack", pagerduty: "PagerDuty", webhook: "Webhook" };

/**
 * The runbook names the channels these events must reach. A kind with nothing configured still
 * gets an outbox row, marked undeliverable, so the operator sees what could not be sent.
 */
export const REQUIRED_KINDS: Partial<Record<NotificationEvent, ChannelKind[]>> = {
  "upgrade.rolled_back": ["email", "slack"],
  "upgrade.emergency_rollback": ["pagerduty", "email", "slack"],
};

export const SEVERITIES = ["critical", "error", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const DEFAULT_SEVERITY: Record<NotificationEvent, Severity> = {
  "upgrade.requested": "info",
  "upgrade.approved": "info",
  "upgrade.rejected": "warning",
  "upgrade.started": "info",
  "upgrade.succeeded": "info",
  "upgrade.failed": "error",
  "upgrade.rolled_back": "warning",
  "upgrade.emergency_rollback": "critical",
  "alert.fired": "warning",
  test: "info",
};

export const OUTBOX_STATUSES = ["pending", "sending", "sent", "failed", "dead"] as const;
export type OutboxStatusName = (typeof OUTBOX_STATUSES)[number];

/** What is stored in an outbox row: a plain summary, never a secret. */
export type NotificationPayload = {
  event: NotificationEvent;
  title: string;
  message: string;
  severity: Severity;
  instance: { id: string; name: string } | null;
  run: { id: string; kind: string; fromVersion: string; toVersion: string; status: string } | null;
  link: string | null;
  details: Record<string, unknown>;
  /** Email rows addressed to a person (stakeholder or requester) rather than a channel. */
  to?: { email: string; name: string | null; as: "stakeholder" | "requester" };
};
