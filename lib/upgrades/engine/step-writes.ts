import "server-only";
import type { Tx } from "@/lib/db";
import { emitRunEvents, type RunEventInput } from "@/lib/events/run-events";
import { POINT_OF_NO_RETURN } from "@/lib/upgrades/runbook";
import { fenced, type Lease, type LeaseRow } from "@/lib/upgrades/engine/fencing";
import { applyTransition } from "@/lib/upgrades/engine/transitions";
import { applyInstanceChange } from "@/lib/instances/apply-instance-change";
import { instanceChangeOf, type RunRow } from "@/lib/upgrades/engine/context";

// What an execution writes about its steps, each in one fenced transaction (fencing.ts): a step's
// start, and its outcome together with its last log lines and, when nothing has to be checked
// in between, the next step's start. The execution keeps the run in memory as it writes it
// (`run` is updated once a transaction commits); what others may change meanwhile (the lease, a
// cancel) is re-read under the run's row lock by each of these transactions.

type Step = RunRow["steps"][number];

/** The upgrade has started (or passed) its migration: from then on a cancel no longer applies. */
export function pastNoReturn(run: RunRow): boolean {
  return run.kind === "upgrade" && run.steps.some((s) => s.key === POINT_OF_NO_RETURN && s.status !== "pending");
}

/** The step to run next: the first that has neither succeeded nor been skipped. */
export function nextStep(run: RunRow): Step | undefined {
  return run.steps.find((s) => s.status !== "succeeded" && s.status !== "skipped");
}

/** The checklist gate is looked at before this step, so it is never started along with another. */
export function gatedStep(run: RunRow, step: Step): boolean {
  return run.kind === "upgrade" && step.key === "maintenance_on";
}

function cancelPending(run: RunRow, row: LeaseRow): boolean {
  return run.kind === "upgrade" && !!row.cancel_requested_at && !pastNoReturn(run);
}

/** Marks `step` running in `tx`; the event that says so, for the caller to emit in order. */
async function markStarted(tx: Tx, run: RunRow, step: Step, now: Date): Promise<RunEventInput> {
  await tx.upgradeStep.update({ where: { id: step.id }, data: { status: "running", attempts: { increment: 1 }, startedAt: step.startedAt ?? now, error: null, errorCode: null, hint: null } });
  await tx.upgradeRun.update({ where: { id: run.id }, data: { currentStepKey: step.key, ...(run.startedAt ? {} : { startedAt: now }) } });
  if (run.kind === "upgrade" && step.key === "preparation" && run.instance.status === "active") await applyInstanceChange(tx, run.instanceId, "upgrade_begins");
  return { type: "step_status", stepId: step.id, message: `${step.title}: ${step.attempts > 0 ? "resumed" : "started"}`, data: { key: step.key, status: "running", attempt: step.attempts + 1 } };
}

/** The in-memory side of markStarted, once its transaction committed. */
function noteStarted(run: RunRow, step: Step, now: Date): void {
  Object.assign(step, { status: "running", attempts: step.attempts + 1, startedAt: step.startedAt ?? now, error: null, errorCode: null, hint: null });
  run.currentStepKey = step.key;
  run.startedAt ??= now;
  if (run.kind === "upgrade" && step.key === "preparation" && run.instance.status === "active") run.instance.status = "upgrading";
}

/**
 * Marks `step` running, in the fenced transaction that also re-reads the cancel flag: a cancel
 * that committed after the execution last looked must still stop the run before `migrate`
 * starts. "cancel" when it did; the step is then left untouched.
 */
export async function beginStep(lease: Lease, run: RunRow, step: Step): Promise<"started" | "cancel"> {
  const now = new Date();
  const r = await fenced(lease, async (tx, row) => {
    run.cancelRequestedAt = row.cancel_requested_at;
    if (cancelPending(run, row)) return "cancel";
    await emitRunEvents(tx, run.id, [await markStarted(tx, run, step, now)]);
    return "started";
  });
  if (r === "started") noteStarted(run, step, now);
  return r;
}

/**
 * `step` succeeded: its last log lines (`rest`), its outcome and, when `next` is given, the start
 * of the next step, in one fenced transaction and in that order. The next step is not started
 * when a cancel is pending before the point of no return (the same check as beginStep).
 * Whether `next` started.
 */
export async function finishStep(lease: Lease, run: RunRow, step: Step, result: Record<string, unknown>, rest: RunEventInput[], next: Step | null): Promise<boolean> {
  const now = new Date();
  const begun = await fenced(lease, async (tx, row) => {
    run.cancelRequestedAt = row.cancel_requested_at;
    await tx.upgradeStep.update({ where: { id: step.id }, data: { status: "succeeded", finishedAt: now, result: result as object } });
    const change = instanceChangeOf(result);
    if (change) await applyInstanceChange(tx, run.instanceId, change.name, change.details);
    const events: RunEventInput[] = [...rest, { type: "step_status", stepId: step.id, message: `${step.title}: done`, data: { key: step.key, status: "succeeded" } }];
    const starts = !!next && !cancelPending(run, row);
    if (next && starts) events.push(await markStarted(tx, run, next, now));
    await emitRunEvents(tx, run.id, events);
    return starts;
  });
  Object.assign(step, { status: "succeeded", finishedAt: now, result });
  if (next && begun) noteStarted(run, next, now);
  return begun;
}

/** `step` failed: its last log lines, then the failure with the runbook's code and hint. */
export async function failStep(lease: Lease, run: RunRow, step: Step, rest: RunEventInput[], failure: { message: string; code: string; hint: string | null }): Promise<void> {
  const { message, code, hint } = failure;
  await fenced(lease, async (tx) => {
    await tx.upgradeStep.update({ where: { id: step.id }, data: { status: "failed", finishedAt: new Date(), error: message.slice(0, 4000), errorCode: code, hint } });
    await emitRunEvents(tx, run.id, [...rest, { type: "step_status", stepId: step.id, level: "error", message: `${step.title} failed: ${message.split("\n")[0]}`, data: { key: step.key, status: "failed", code, hint } }]);
  });
}

/** `step` waits until `until` (the monitoring window): the run moves to `monitoring`. */
export async function waitInStep(lease: Lease, run: RunRow, step: Step, rest: RunEventInput[], until: Date, result: Record<string, unknown>): Promise<void> {
  await fenced(lease, async (tx) => {
    await emitRunEvents(tx, run.id, rest);
    await tx.upgradeStep.update({ where: { id: step.id }, data: { status: "waiting", result: result as object } });
    await applyTransition(tx, run.id, "begin_monitoring", { extra: { monitoringUntil: until }, message: `Monitoring until ${until.toISOString()}` });
  });
}
