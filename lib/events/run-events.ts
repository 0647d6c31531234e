import "server-only";
import type { Tx } from "@/lib/db";
import type { LogLevel, RunEventType } from "@/generated/prisma/enums";

export const RUN_EVENTS_CHANNEL = "run_events";

export type RunEventInput = { type: RunEventType; stepId?: string | null; level?: LogLevel | null; message?: string | null; data?: Record<string, unknown> | null };

function eventRow(runId: string, e: RunEventInput) {
  return { runId, type: e.type, stepId: e.stepId ?? null, level: e.level ?? null, message: e.message?.slice(0, 4000) ?? null, ...(e.data ? { data: e.data as object } : {}) };
}

/** Appends an event and notifies listeners; the notification is delivered when `tx` commits. */
export async function emitRunEvent(tx: Tx, runId: string, e: RunEventInput): Promise<bigint> {
  const row = await tx.runEvent.create({ data: eventRow(runId, e), select: { id: true } });
  await tx.$executeRaw`SELECT pg_notify(${RUN_EVENTS_CHANNEL}, ${runId})`;
  return row.id;
}

/**
 * Appends events in the order given and notifies listeners once, at `tx`'s commit. One multi-row
 * INSERT, whose rows take the id sequence's values in the order listed: the ids (the SSE ids)
 * ascend in the order given.
 */
export async function emitRunEvents(tx: Tx, runId: string, events: RunEventInput[]): Promise<void> {
  if (events.length === 0) return;
  await tx.runEvent.createMany({ data: events.map((e) => eventRow(runId, e)) });
  await tx.$executeRaw`SELECT pg_notify(${RUN_EVENTS_CHANNEL}, ${runId})`;
}
