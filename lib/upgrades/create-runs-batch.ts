import "server-only";
import type { Tx } from "@/lib/db";
import { bulkInsert, newId } from "@/lib/bulk-insert";
import { RUN_EVENTS_CHANNEL } from "@/lib/events/run-events";
import { notifyRuns } from "@/lib/notifications/notify-run";
import { prepareRun, type NewRun } from "@/lib/upgrades/create-runs";

// `insertRun` for many runs: the same rows (prepareRun), written with one INSERT per table.

const RUN_COLUMNS = {
  id: "text", instance_id: "text", kind: '"RunKind"', from_version: "text", to_version: "text", status: '"UpgradeStatus"', trigger: '"RunTrigger"',
  active_instance_id: "text", requested_by_id: "text", requested_by_token_id: "text", rollback_plan: "text", urgent: "boolean", policy_reason: "text",
  plan_id: "text", hop_index: "int", parent_run_id: "text", restore_backup_id: "text", scheduled_for: "timestamptz", started_at: "timestamptz",
  checklist_override_reason: "text", checklist_override_by_id: "text", checklist_override_at: "timestamptz", updated_at: "timestamptz",
};
const STEP_COLUMNS = { id: "text", run_id: "text", key: "text", position: "int", title: "text", expected_seconds: "int" };
const CHECKLIST_COLUMNS = { id: "text", run_id: "text", key: '"ChecklistKey"', checked: "boolean", by_system: "boolean", checked_by_id: "text", checked_at: "timestamptz", note: "text" };
const EVENT_COLUMNS = { run_id: "text", type: '"RunEventType"', message: "text", data: "jsonb" };

export type BatchRun = { id: string; run: NewRun };

/** Gives each run an id of Prisma's shape, so that a batch can refer to its runs before writing them. */
export function withIds(runs: NewRun[]): BatchRun[] {
  return runs.map((run) => ({ id: newId(), run }));
}

/**
 * Writes runs with their steps, checklist items, "Run created" event (and its notification to
 * listeners) and, for the head of a request, its notification, in `tx`. An active run whose
 * instance already has one is skipped (the unique index on active_instance_id: ON CONFLICT DO
 * NOTHING), with everything that belongs to it. Returns the ids written.
 */
export async function insertRuns(tx: Tx, runs: BatchRun[]): Promise<Set<string>> {
  if (runs.length === 0) return new Set();
  const now = new Date();
  const prepared = runs.map((r) => ({ id: r.id, ...prepareRun(r.run, now) }));
  const row = (p: (typeof prepared)[number]) => {
    const r = p.run;
    return {
      id: p.id, instance_id: r.instanceId, kind: r.kind, from_version: r.fromVersion, to_version: r.toVersion, status: r.status, trigger: r.trigger,
      active_instance_id: r.activeInstanceId, requested_by_id: r.requestedById, requested_by_token_id: r.requestedByTokenId, rollback_plan: r.rollbackPlan,
      urgent: r.urgent, policy_reason: r.policyReason, plan_id: r.planId, hop_index: r.hopIndex, parent_run_id: r.parentRunId, restore_backup_id: r.restoreBackupId,
      scheduled_for: r.scheduledFor, started_at: r.startedAt, checklist_override_reason: r.checklistOverrideReason, checklist_override_by_id: r.checklistOverrideById,
      checklist_override_at: r.checklistOverrideAt, updated_at: now,
    };
  };
  const active = prepared.filter((p) => p.run.activeInstanceId !== null);
  const inactive = prepared.filter((p) => p.run.activeInstanceId === null);
  const written = new Set<string>();
  for (const r of await bulkInsert<{ id: string }>(tx, "upgrade_runs", RUN_COLUMNS, active.map(row), "ON CONFLICT (active_instance_id) DO NOTHING RETURNING id")) written.add(r.id);
  for (const r of await bulkInsert<{ id: string }>(tx, "upgrade_runs", RUN_COLUMNS, inactive.map(row), "RETURNING id")) written.add(r.id);
  const kept = prepared.filter((p) => written.has(p.id));
  await bulkInsert(tx, "upgrade_steps", STEP_COLUMNS, kept.flatMap((p) => p.steps.map((s) => ({ id: newId(), run_id: p.id, key: s.key, position: s.position, title: s.title, expected_seconds: s.expectedSeconds }))));
  await bulkInsert(tx, "checklist_items", CHECKLIST_COLUMNS, kept.flatMap((p) => p.checklist.map((c) => ({ id: newId(), run_id: p.id, key: c.key, checked: c.checked, by_system: c.bySystem, checked_by_id: c.checkedById, checked_at: c.checkedAt, note: c.note }))));
  // One row per run, in the order given: their ids (the SSE ids) ascend in that order.
  await bulkInsert(tx, "run_events", EVENT_COLUMNS, kept.map((p) => ({ run_id: p.id, type: p.event.type, message: p.event.message?.slice(0, 4000) ?? null, data: p.event.data ?? null })));
  if (kept.length) await tx.$executeRawUnsafe(`SELECT pg_notify($1, id) FROM unnest($2::text[]) AS id`, RUN_EVENTS_CHANNEL, kept.map((p) => p.id));
  await notifyRuns(tx, kept.flatMap((p) => (p.notify ? [{ runId: p.id, event: p.notify.event, extra: p.notify.extra }] : [])));
  return written;
}
