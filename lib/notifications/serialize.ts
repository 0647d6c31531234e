import "server-only";
import { decryptSecret } from "@/lib/crypto";
import type { ChannelKind, NotificationPayload } from "@/lib/notifications/events";

/** Enough of a target to recognise it, never enough to use it. */
export function maskTarget(kind: ChannelKind, target: string): string {
  switch (kind) {
    case "email":
      return maskEmail(target);
    case "pagerduty":
      return `••••${target.slice(-4)}`;
    case "slack":
    case "webhook":
      try {
        const u = new URL(target);
        return `${u.protocol}//${u.host}/••••`;
      } catch {
        return "••••";
      }
  }
}

export function maskEmail(email: string): string {
  const [user = "", domain = ""] = email.split("@");
  return `${user.slice(0, 1)}•••@${domain}`;
}

export type ChannelDto = { id: string; instanceId: string | null; kind: ChannelKind; name: string; target: string; hasSecret: boolean; events: string[]; enabled: boolean; createdAt: string };

export function channelDto(c: { id: string; instanceId: string | null; kind: ChannelKind; name: string; targetEncrypted: string; secretEncrypted: string | null; events: string[]; enabled: boolean; createdAt: Date }): ChannelDto {
  let target = "••••";
  try {
    target = maskTarget(c.kind, decryptSecret(c.targetEncrypted));
  } catch {
    // A key rotation gone wrong must not take the page down; the mask says nothing anyway.
  }
  return { id: c.id, instanceId: c.instanceId, kind: c.kind, name: c.name, target, hasSecret: c.secretEncrypted !== null, events: c.events, enabled: c.enabled, createdAt: c.createdAt.toISOString() };
}

export type NotificationDto = {
  id: string;
  event: string;
  kind: ChannelKind;
  title: string;
  recipient: string;
  channelId: string | null;
  instanceId: string | null;
  runId: string | null;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
};

export function notificationDto(n: {
  id: string;
  event: string;
  kind: ChannelKind;
  payload: unknown;
  channelId: string | null;
  channel: { name: string } | null;
  instanceId: string | null;
  runId: string | null;
  status: string;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
}): NotificationDto {
  const p = n.payload as Partial<NotificationPayload>;
  const recipient = n.channel ? n.channel.name : p.to ? `${p.to.name ?? ""} <${maskEmail(p.to.email)}> (${p.to.as})`.trim() : n.channelId ? "removed channel" : "no channel configured";
  return {
    id: n.id,
    event: n.event,
    kind: n.kind,
    title: p.title ?? n.event,
    recipient,
    channelId: n.channelId,
    instanceId: n.instanceId,
    runId: n.runId,
    status: n.status,
    attempts: n.attempts,
    nextAttemptAt: n.status === "pending" || n.status === "failed" ? n.nextAttemptAt.toISOString() : null,
    lastError: n.lastError,
    sentAt: n.sentAt?.toISOString() ?? null,
    createdAt: n.createdAt.toISOString(),
  };
}
