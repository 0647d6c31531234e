import "server-only";
import type { Tx } from "@/lib/db";
import type { LogLevel, RunEventType } from "@/generated/prisma/enums";

export const RUN_EVENTS_CHANNEL = "run_events";

export type RunEventInput = { type: RunEventType; stepId?: string | null; level?: LogLevel | null; message?: string | null; data?: Record<string, unknown> | null };

/** Appends an event and notifies listeners; the notification is delivered when `tx` commits. */
export async function emitRunEvent(tx: Tx, runId: string, e: RunEventInput): Promise<bigint> {
  const row = await tx.runEvent.create({
    data: { runId, type: e.type, stepId: e.stepId ?? null, level: e.level ?? null, message: e.message?.slice(0, 4000) ?? null, ...(e.data ? { data: e.data as object } : {}) },
    select: { id: true },
  });
  await tx.$executeRaw`SELECT pg_notify(${RUN_EVENTS_CHANNEL}, ${runId})`;
  return row.id;
}
