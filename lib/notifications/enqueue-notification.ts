import "server-only";
import type { Tx } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { DEFAULT_SEVERITY, REQUIRED_KINDS, SEVERITIES, type ChannelKind, type NotificationEvent, type NotificationPayload, type Severity } from "@/lib/notifications/events";

export type EnqueueInput = {
  event: NotificationEvent;
  instanceId: string | null;
  runId?: string | null;
  /** `title`, `message` and `severity` are used when given; everything else lands in `details`. */
  payload: Record<string, unknown>;
};

export type EnqueueResult = { queued: number; undeliverable: ChannelKind[] };

type Row = { kind: ChannelKind; channelId: string | null; payload: NotificationPayload; undeliverable?: string };

/** Public console URL for links in messages. */
export function consoleLink(path: string): string {
  const env = getEnv();
  const base = (env.CONSOLE_URL ?? env.NEXTAUTH_URL ?? "http://localhost:3000").replace(/\/+$/, "");
  return `${base}${path}`;
}

function severityOf(event: NotificationEvent, given: unknown): Severity {
  if (event === "upgrade.emergency_rollback") return "critical";
  return typeof given === "string" && (SEVERITIES as readonly string[]).includes(given) ? (given as Severity) : DEFAULT_SEVERITY[event];
}

function str(v: unknown): string | null {
  return typeof v === "string" && v.trim() ? v : null;
}

/**
 * Queues one outbox row per enabled channel that subscribes to the event (the instance's own and
 * the fleet-wide ones; no events listed means all), one email per stakeholder of the instance, and
 * one to the requester when their upgrade is approved or rejected. Runs inside the caller's
 * transaction, so the notification exists exactly when the change does. Kinds the runbook
 * requires for the event but nobody configured get an undeliverable (`dead`) row.
 */
export async function enqueueNotification(tx: Tx, input: EnqueueInput): Promise<EnqueueResult> {
  const { event, instanceId } = input;
  const runId = input.runId ?? null;
  const instance = instanceId ? await tx.instance.findUnique({ where: { id: instanceId }, select: { id: true, name: true, stakeholders: { orderBy: { createdAt: "asc" } } } }) : null;
  const run = runId ? await tx.upgradeRun.findUnique({ where: { id: runId }, select: { id: true, kind: true, fromVersion: true, toVersion: true, status: true, requestedBy: { select: { email: true, name: true } } } }) : null;
  const { title, message, severity, ...details } = input.payload;
  const payload: NotificationPayload = {
    event,
    title: str(title) ?? `${instance ? `${instance.name}: ` : ""}${event}`,
    message: str(message) ?? "",
    severity: severityOf(event, severity),
    instance: instance ? { id: instance.id, name: instance.name } : null,
    run: run ? { id: run.id, kind: run.kind, fromVersion: run.fromVersion, toVersion: run.toVersion, status: run.status } : null,
    link: run ? consoleLink(`/upgrades/${run.id}`) : instance ? consoleLink(`/instances/${instance.id}`) : null,
    details,
  };

  const channels = await tx.notificationChannel.findMany({
    where: { enabled: true, OR: [{ instanceId: null }, ...(instanceId ? [{ instanceId }] : [])] },
    select: { id: true, kind: true, events: true },
  });
  const rows: Row[] = channels.filter((c) => c.events.length === 0 || c.events.includes(event)).map((c) => ({ kind: c.kind, channelId: c.id, payload }));

  const people = new Map<string, NonNullable<NotificationPayload["to"]>>();
  for (const s of instance?.stakeholders ?? []) people.set(s.email.toLowerCase(), { email: s.email, name: s.name, as: "stakeholder" });
  if ((event === "upgrade.approved" || event === "upgrade.rejected") && run?.requestedBy) {
    people.set(run.requestedBy.email.toLowerCase(), { email: run.requestedBy.email, name: run.requestedBy.name, as: "requester" });
  }
  for (const to of people.values()) rows.push({ kind: "email", channelId: null, payload: { ...payload, to } });

  const undeliverable = (REQUIRED_KINDS[event] ?? []).filter((kind) => !rows.some((r) => r.kind === kind));
  for (const kind of undeliverable) rows.push({ kind, channelId: null, payload, undeliverable: `No ${kind} channel is configured for ${event}; nothing was sent.` });

  if (rows.length) {
    await tx.notificationOutbox.createMany({
      data: rows.map((r) => ({
        kind: r.kind,
        channelId: r.channelId,
        event,
        instanceId: instance?.id ?? null,
        runId: run?.id ?? null,
        payload: r.payload as object,
        ...(r.undeliverable ? { status: "dead" as const, lastError: r.undeliverable } : {}),
      })),
    });
  }
  return { queued: rows.length - undeliverable.length, undeliverable };
}
