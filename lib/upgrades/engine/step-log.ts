import "server-only";
import { emitRunEvents, type RunEventInput } from "@/lib/events/run-events";
import { fencedShared, type Lease } from "@/lib/upgrades/engine/fencing";
import type { LogLevel, StepLog } from "@/lib/runtime/types";

// A step's log lines are run events, fenced like every other write (docs/architecture.md,
// "Fencing"). They are written in batches, not one transaction a line: a batch goes when it has
// LOG_BATCH_LINES lines or LOG_FLUSH_MS after its first line, so an SSE watcher still sees lines
// promptly (one pg_notify a batch). Batches are written one after another and each keeps the
// order its lines were said in, so their ids (the SSE ids) follow that order. A batch is refused
// whole when the lease is no longer this execution's, as a single line was. What is still
// pending when the step ends goes into the transaction that writes the step's outcome, ahead of
// it (`takeRest`).

export const LOG_FLUSH_MS = 50;
export const LOG_BATCH_LINES = 100;

export type StepLogWriter = {
  /** What the step is given as `ctx.log`: never waits, never throws. */
  log: StepLog;
  /** Writes everything said so far, and waits for it (a batch refused or failed is dropped). */
  flush: () => Promise<void>;
  /** Waits for the batches under way and hands over the lines not yet sent, in order. */
  takeRest: () => Promise<RunEventInput[]>;
};

export function openStepLog(lease: Lease, runId: string, stepId: string, opts: { flushMs?: number; batchLines?: number } = {}): StepLogWriter {
  const flushMs = opts.flushMs ?? LOG_FLUSH_MS;
  const batchLines = opts.batchLines ?? LOG_BATCH_LINES;
  let pending: RunEventInput[] = [];
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<unknown> = Promise.resolve();

  const stopTimer = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  const sendBatch = () => {
    stopTimer();
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    writing = writing.then(() => fencedShared(lease, (tx) => emitRunEvents(tx, runId, batch))).catch(() => undefined);
  };

  return {
    log(level: LogLevel, message: string) {
      pending.push({ type: "log", stepId, level, message });
      if (pending.length >= batchLines) sendBatch();
      else timer ??= setTimeout(sendBatch, flushMs);
    },
    async flush() {
      sendBatch();
      await writing;
    },
    async takeRest() {
      // Until no batch is under way: one that went while this waited must land first too.
      for (let w = writing; ; w = writing) {
        await w;
        if (w === writing) break;
      }
      stopTimer();
      const rest = pending;
      pending = [];
      return rest;
    },
  };
}
