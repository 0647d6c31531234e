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

type Loaded = {
  instance: { id: string; name: string; stakeholders: { email: string; name: string | null }[] } | null;
  run: { id: string; kind: string; fromVersion: string; toVersion: string; status: string; requestedBy: { email: string; name: string | null } | null } | null;
  channels: { id: string; kind: ChannelKind; events: string[]; instanceId: string | null }[];
};

const INSTANCE_SELECT = { id: true, name: true, stakeholders: { orderBy: { createdAt: "asc" as const } } };
const RUN_SELECT = { id: true, kind: true, fromVersion: true, toVersion: true, status: true, requestedBy: { select: { email: true, name: true } } };
const CHANNEL_SELECT = { id: true, kind: true, events: true, instanceId: true };

/** The outbox rows of one notification, from what was read for it. */
function outboxRows(input: EnqueueInput, { instance, run, channels }: Loaded) {
  const { event } = input;
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

  const rows: Row[] = channels
    .filter((c) => c.instanceId === null || c.instanceId === input.instanceId)
    .filter((c) => c.events.length === 0 || c.events.includes(event))
    .map((c) => ({ kind: c.kind, channelId: c.id, payload }));

  const people = new Map<string, NonNullable<NotificationPayload["to"]>>();
  for (const s of instance?.stakeholders ?? []) people.set(s.email.toLowerCase(), { email: s.email, name: s.name, as: "stakeholder" });
  if ((event === "upgrade.approved" || event === "upgrade.rejected") && run?.requestedBy) {
    people.set(run.requestedBy.email.toLowerCase(), { email: run.requestedBy.email, name: run.requestedBy.name, as: "requester" });
  }
  for (const to of people.values()) rows.push({ kind: "email", channelId: null, payload: { ...payload, to } });

  const undeliverable = (REQUIRED_KINDS[event] ?? []).filter((kind) => !rows.some((r) => r.kind === kind));
  for (const kind of undeliverable) rows.push({ kind, channelId: null, payload, undeliverable: `No ${kind} channel is configured for ${event}; nothing was sent.` });
  const data = rows.map((r) => ({
    kind: r.kind,
    channelId: r.channelId,
    event,
    instanceId: instance?.id ?? null,
    runId: run?.id ?? null,
    payload: r.payload as object,
    ...(r.undeliverable ? { status: "dead" as const, lastError: r.undeliverable } : {}),
  }));
  return { data, result: { queued: rows.length - undeliverable.length, undeliverable } };
}

/**
 * Queues one outbox row per enabled channel that subscribes to the event (the instance's own and
 * the fleet-wide ones; no events listed means all), one email per stakeholder of the instance, and
 * one to the requester when their upgrade is approved or rejected. Runs inside the caller's
 * transaction, so the notification exists exactly when the change does. Kinds the runbook
 * requires for the event but nobody configured get an undeliverable (`dead`) row.
 */
export async function enqueueNotification(tx: Tx, input: EnqueueInput): Promise<EnqueueResult> {
  const { instanceId } = input;
  const runId = input.runId ?? null;
  const instance = instanceId ? await tx.instance.findUnique({ where: { id: instanceId }, select: INSTANCE_SELECT }) : null;
  const run = runId ? await tx.upgradeRun.findUnique({ where: { id: runId }, select: RUN_SELECT }) : null;
  const channels = await tx.notificationChannel.findMany({ where: { enabled: true, OR: [{ instanceId: null }, ...(instanceId ? [{ instanceId }] : [])] }, select: CHANNEL_SELECT });
  const { data, result } = outboxRows(input, { instance, run, channels });
  if (data.length) await tx.notificationOutbox.createMany({ data });
  return result;
}

/** `enqueueNotification` for many at once: the same rows, read and written in a few statements. */
export async function enqueueNotifications(tx: Tx, inputs: EnqueueInput[]): Promise<EnqueueResult[]> {
  if (inputs.length === 0) return [];
  const instanceIds = [...new Set(inputs.map((i) => i.instanceId).filter((id): id is string => id !== null))];
  const runIds = [...new Set(inputs.map((i) => i.runId).filter((id): id is string => !!id))];
  const instances = new Map((instanceIds.length ? await tx.instance.findMany({ where: { id: { in: instanceIds } }, select: INSTANCE_SELECT }) : []).map((i) => [i.id, i]));
  const runs = new Map((runIds.length ? await tx.upgradeRun.findMany({ where: { id: { in: runIds } }, select: RUN_SELECT }) : []).map((r) => [r.id, r]));
  const channels = await tx.notificationChannel.findMany({ where: { enabled: true, OR: [{ instanceId: null }, ...(instanceIds.length ? [{ instanceId: { in: instanceIds } }] : [])] }, select: CHANNEL_SELECT });
  const built = inputs.map((input) => outboxRows(input, { instance: input.instanceId ? (instances.get(input.instanceId) ?? null) : null, run: input.runId ? (runs.get(input.runId) ?? null) : null, channels }));
  const data = built.flatMap((b) => b.data);
  if (data.length) await tx.notificationOutbox.createMany({ data });
  return built.map((b) => b.result);
}
