import "server-only";
import { getDb } from "@/lib/db";
import { emitRunEvent } from "@/lib/events/run-events";
import type { ChecklistKey } from "@/generated/prisma/enums";

/** The console ticks what it knows itself (a verified backup, a compatible path, dependencies). */
export async function tickBySystem(runId: string, keys: ChecklistKey[], note: string): Promise<void> {
  await getDb().$transaction(async (tx) => {
    const n = await tx.checklistItem.updateMany({ where: { runId, key: { in: keys }, checked: false }, data: { checked: true, bySystem: true, checkedAt: new Date(), note } });
    if (n.count > 0) await emitRunEvent(tx, runId, { type: "checklist", message: `Checklist: ${keys.join(", ")} ticked by the console`, data: { keys, bySystem: true } });
  });
}

/** The gate before the first disruptive step: every item ticked, or a superadmin's override. */
export async function checklistGateOpen(runId: string): Promise<{ open: boolean; missing: string[] }> {
  const db = getDb();
  const run = await db.upgradeRun.findUniqueOrThrow({ where: { id: runId }, select: { checklistOverrideAt: true, checklistItems: true } });
  const missing = run.checklistItems.filter((i) => !i.checked).map((i) => i.key);
  return { open: run.checklistOverrideAt !== null || missing.length === 0, missing };
}
