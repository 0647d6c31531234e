import "server-only";
import { getDb } from "@/lib/db";
import { emitRunEvent } from "@/lib/events/run-events";
import { loadRuntime } from "@/lib/runtime/load-runtime";
import { leavePlatformMaintenance } from "@/lib/runtime/platform-client";
import { fencedShared, leaseHeld, LeaseLost, type Lease } from "@/lib/upgrades/engine/fencing";
import { sleep, type RunRow } from "@/lib/upgrades/engine/context";

// Waits between attempts to leave maintenance; the instance may be restarting or briefly away.
export const UNDO_BACKOFF_MS = [1_000, 2_000, 4_000, 8_000];

export type UndoOutcome = { undone: true } | { undone: false; reason: string };

/**
 * Before `migrate` nothing changed but maintenance mode and the paused job queue: undo those.
 * Retried with backoff; when the instance still does not answer, the outcome says why, and the
 * run's end marks the instance as needing attention (endBeforeMigrate) instead of pretending
 * it is back in service.
 */
export async function undoPreMigrate(run: RunRow, lease: Lease): Promise<UndoOutcome> {
  const fresh = await getDb().upgradeStep.findMany({ where: { runId: run.id, key: { in: ["maintenance_on", "pre_checks"] } }, select: { status: true } });
  if (!fresh.some((s) => s.status !== "pending")) return { undone: true };
  const note = (level: "info" | "warn" | "error", message: string) => fencedShared(lease, (tx) => emitRunEvent(tx, run.id, { type: "log", level, message }).then(() => undefined));
  const loaded = await loadRuntime(run.instance);
  let last = "";
  for (let attempt = 0; attempt <= UNDO_BACKOFF_MS.length; attempt++) {
    // Like a driver's side effect, the undo belongs to the execution holding the lease.
    if (!(await leaseHeld(lease))) throw new LeaseLost();
    try {
      await leavePlatformMaintenance(loaded.baseUrl, loaded.runtime.adminToken);
      await note("info", "Maintenance mode off and job queue resumed; the previous version keeps serving");
      return { undone: true };
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
      const wait = UNDO_BACKOFF_MS[attempt];
      if (wait === undefined) break;
      await note("warn", `Could not leave maintenance mode (attempt ${attempt + 1}): ${last}; trying again in ${wait / 1000} s`);
      await sleep(wait);
    }
  }
  const reason = `The upgrade stopped before the database migration, but the console could not take the instance out of maintenance mode or resume its job queue (${last}). It may still show its maintenance page. Once it answers again, switch maintenance off from its page.`;
  await note("error", reason);
  return { undone: false, reason };
}
