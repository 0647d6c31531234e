import "server-only";
import pg from "pg";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { emitRunEvent } from "@/lib/events/run-events";
import { loadRuntime, releaseArtifacts } from "@/lib/runtime/load-runtime";
import { hintFor, POINT_OF_NO_RETURN } from "@/lib/upgrades/runbook";
import { UPGRADE_STEP_FNS } from "@/lib/upgrades/engine/upgrade-steps";
import { ROLLBACK_STEP_FNS } from "@/lib/upgrades/engine/rollback-steps";
import { checklistGateOpen } from "@/lib/upgrades/engine/checklist-gate";
import { errorCode, type RunRow, type StepContext, type StepOutcome } from "@/lib/upgrades/engine/context";
import { claimLease, driverFence, fenced, fencedShared, LeaseLost, releaseLease, type Lease } from "@/lib/upgrades/engine/fencing";
import { undoPreMigrate } from "@/lib/upgrades/engine/undo-pre-migrate";
import { completeRollback, completeUpgrade, endBeforeMigrate, failAfterMigrate, failRollback, moveRun } from "@/lib/upgrades/engine/transitions";
import { logError } from "@/lib/log";
import type { LogLevel } from "@/lib/runtime/types";

const leaseSeconds = () => getEnv().RUN_LEASE_SECONDS;

const MAX_TRANSIENT_ATTEMPTS = 5;

function looksLikeLostConnection(e: unknown): boolean {
  const text = `${(e as { code?: unknown })?.code ?? ""} ${e instanceof Error ? e.message : String(e)}`;
  return /ECONNREFUSED|ECONNRESET|57P0[123]|Connection terminated|connection is closed|Can't reach database|terminating connection|P1001|P1017|P2024/i.test(text);
}

async function consoleDatabaseReachable(): Promise<boolean> {
  return Promise.race([
    getDb().$queryRaw`SELECT 1`.then(() => true, () => false),
    new Promise<boolean>((r) => setTimeout(() => r(false), 5000).unref()),
  ]);
}

const STEP_FNS: Record<string, (ctx: StepContext) => Promise<StepOutcome>> = { ...UPGRADE_STEP_FNS, ...ROLLBACK_STEP_FNS };

export async function loadRun(runId: string): Promise<RunRow | null> {
  return getDb().upgradeRun.findUnique({ where: { id: runId }, include: { steps: { orderBy: { position: "asc" } }, instance: { include: { host: true } } } });
}

async function loadRelease(version: string) {
  return getDb().release.findUniqueOrThrow({ where: { type_version: { type: "platform", version } }, include: { artifacts: true } });
}

// Runs this process is executing: a duplicate job for one of them is dropped here, before it
// could even try for the lease.
const executing = new Set<string>();
let executionSeq = 0;

/**
 * Runs a run's steps until it ends or has to wait (checklist, monitoring). Safe to call for any
 * run at any time, from any worker: the lease makes one worker at a time the runner, and a step
 * that was running when its worker died is simply run again (steps are idempotent).
 */
export async function executeRun(runId: string, workerId: string): Promise<void> {
  if (executing.has(runId)) return;
  executing.add(runId);
  try {
    // The lease names one execution, not a process, so fencing tells any two executions apart.
    await executeWithLease(runId, `${workerId}#${++executionSeq}`);
  } finally {
    executing.delete(runId);
  }
}

async function executeWithLease(runId: string, workerId: string): Promise<void> {
  const lease = await claimLease(runId, workerId);
  if (!lease) return;
  const lost = new AbortController();
  // Heartbeats on a connection of their own: they must never wait behind a step's queries in the
  // shared pool, or a busy but healthy worker would lose its lease.
  const hb = new pg.Client({ connectionString: getEnv().DATABASE_URL });
  await hb.connect();
  hb.on("error", () => lost.abort());
  const heartbeat = setInterval(() => {
    hb.query("UPDATE upgrade_runs SET lease_expires_at = now() + make_interval(secs => $3), heartbeat_at = now() WHERE id = $1 AND lease_owner = $2", [runId, workerId, leaseSeconds()])
      .then((r) => {
        if (r.rowCount === 0) lost.abort();
      })
      .catch(() => lost.abort());
  }, (leaseSeconds() * 1000) / 4);
  try {
    await runSteps(lease, lost.signal);
  } finally {
    clearInterval(heartbeat);
    await hb.end().catch(() => undefined);
    await releaseLease(lease);
  }
}

async function runSteps(lease: Lease, signal: AbortSignal): Promise<void> {
  try {
    await stepLoop(lease, signal);
  } catch (e) {
    if (!(e instanceof LeaseLost)) throw e;
  }
}

/**
 * Marks `step` running, in the fenced transaction that also re-reads the cancel flag: a cancel
 * that committed after the loop last looked must still stop the run before `migrate` starts.
 * "cancel" when it did; the step is then left untouched.
 */
export async function beginStep(lease: Lease, run: RunRow, step: RunRow["steps"][number]): Promise<"started" | "cancel"> {
  const now = new Date();
  return fenced(lease, async (tx, row) => {
    const pastNoReturn = run.steps.some((s) => s.key === POINT_OF_NO_RETURN && s.status !== "pending");
    if (run.kind === "upgrade" && row.cancel_requested_at && !pastNoReturn) return "cancel";
    await tx.upgradeStep.update({ where: { id: step.id }, data: { status: "running", attempts: { increment: 1 }, startedAt: step.startedAt ?? now, error: null, errorCode: null, hint: null } });
    await tx.upgradeRun.update({ where: { id: run.id }, data: { currentStepKey: step.key, ...(run.startedAt ? {} : { startedAt: now }) } });
    if (run.kind === "upgrade" && step.key === "preparation" && run.instance.status === "active") await tx.instance.update({ where: { id: run.instanceId }, data: { status: "upgrading" } });
    await emitRunEvent(tx, run.id, { type: "step_status", stepId: step.id, message: `${step.title}: ${step.attempts > 0 ? "resumed" : "started"}`, data: { key: step.key, status: "running", attempt: step.attempts + 1 } });
    return "started";
  });
}

async function stepLoop(lease: Lease, signal: AbortSignal): Promise<void> {
  const db = getDb();
  const { runId } = lease;
  for (;;) {
    if (signal.aborted) return;
    const run = await loadRun(runId);
    if (!run || run.status !== "running") return;
    const migrateStep = run.steps.find((s) => s.key === POINT_OF_NO_RETURN);
    const pastNoReturn = run.kind === "upgrade" && !!migrateStep && migrateStep.status !== "pending";

    if (run.kind === "upgrade" && run.cancelRequestedAt && !pastNoReturn) {
      await cancelBeforeMigrate(lease, run);
      return;
    }
    const step = run.steps.find((s) => s.status !== "succeeded" && s.status !== "skipped");
    if (!step) {
      await (run.kind === "upgrade" ? completeUpgrade(run) : completeRollback(run));
      return;
    }
    if (run.kind === "upgrade" && step.key === "maintenance_on") {
      const gate = await checklistGateOpen(run.id);
      if (!gate.open) {
        await db.$transaction((tx) => moveRun(tx, run.id, ["running"], "awaiting_checklist", {}, `Waiting for the checklist: ${gate.missing.join(", ")}`));
        return;
      }
    }

    if ((await beginStep(lease, run, step)) === "cancel") {
      await cancelBeforeMigrate(lease, run);
      return;
    }

    // Log lines are fenced like every other write: a lapsed execution's lines are dropped. They are
    // written one after another, so their ids (and the SSE order) follow the order they were said
    // in, and all of them land before the step's outcome.
    let logged: Promise<unknown> = Promise.resolve();
    const log = (level: LogLevel, message: string) => {
      logged = logged.then(() => fencedShared(lease, (tx) => emitRunEvent(tx, run.id, { type: "log", stepId: step.id, level, message }).then(() => undefined))).catch(() => undefined);
    };
    let outcome: StepOutcome;
    try {
      const fn = STEP_FNS[step.key];
      if (!fn) throw new Error(`No implementation for step ${step.key}`);
      const loaded = await loadRuntime(run.instance);
      loaded.runtime.fence = driverFence(lease, signal);
      const [targetRelease, sourceRelease] = await Promise.all([loadRelease(run.toVersion), loadRelease(run.fromVersion)]);
      const results = Object.fromEntries(run.steps.filter((s) => s.result).map((s) => [s.key, s.result as Record<string, unknown>]));
      outcome = await fn({ run, step, loaded, target: releaseArtifacts(targetRelease), targetRelease, source: releaseArtifacts(sourceRelease), sourceRelease, log, results, signal });
      await logged;
    } catch (e) {
      await logged;
      // Another execution owns the run now: nothing of this one's may be written.
      if (signal.aborted || e instanceof LeaseLost || errorCode(e) === "lease_lost") return;
      const code = errorCode(e);
      // The console's own database went away under the step: that is no verdict on the upgrade.
      // End this execution; the sweep resumes the run once the database is back, and the step
      // (idempotent) runs again. Bounded, so a step that keeps failing this way still fails.
      // (A code the runbook explains is a real answer from the instance, not this.)
      if (hintFor(step.key, code) === null && step.attempts < MAX_TRANSIENT_ATTEMPTS && (looksLikeLostConnection(e) || !(await consoleDatabaseReachable()))) throw e;
      const message = e instanceof Error ? e.message : String(e);
      if (code === "unexpected") logError(`step ${step.key} of run ${run.id} failed unexpectedly`, e);
      const hint = hintFor(step.key, code);
      await fenced(lease, async (tx) => {
        await tx.upgradeStep.update({ where: { id: step.id }, data: { status: "failed", finishedAt: new Date(), error: message.slice(0, 4000), errorCode: code, hint } });
        await emitRunEvent(tx, run.id, { type: "step_status", stepId: step.id, level: "error", message: `${step.title} failed: ${message.split("\n")[0]}`, data: { key: step.key, status: "failed", code, hint } });
      });
      await handleFailure(lease, run, step.position, `${step.title}: ${message.split("\n")[0]}`);
      return;
    }

    if (outcome && "waitUntil" in outcome && outcome.waitUntil instanceof Date) {
      const until = outcome.waitUntil;
      await fenced(lease, async (tx) => {
        await tx.upgradeStep.update({ where: { id: step.id }, data: { status: "waiting", result: outcome.result as object } });
        await moveRun(tx, run.id, ["running"], "monitoring", { monitoringUntil: until }, `Monitoring until ${until.toISOString()}`);
      });
      return;
    }
    await fenced(lease, async (tx) => {
      await tx.upgradeStep.update({ where: { id: step.id }, data: { status: "succeeded", finishedAt: new Date(), result: (outcome ?? {}) as object } });
      await emitRunEvent(tx, run.id, { type: "step_status", stepId: step.id, message: `${step.title}: done`, data: { key: step.key, status: "succeeded" } });
    });
  }
}

async function cancelBeforeMigrate(lease: Lease, run: RunRow): Promise<void> {
  const undo = await undoPreMigrate(run, lease);
  await endBeforeMigrate(run, "cancelled", null, undo);
}

async function handleFailure(lease: Lease, run: RunRow, failedPosition: number, error: string): Promise<void> {
  if (run.kind !== "upgrade") {
    await failRollback(run, error);
    return;
  }
  const migratePos = run.steps.find((s) => s.key === POINT_OF_NO_RETURN)?.position ?? Number.MAX_SAFE_INTEGER;
  if (failedPosition < migratePos) {
    const undo = await undoPreMigrate(run, lease);
    await endBeforeMigrate(run, "failed", error, undo);
  } else {
    await failAfterMigrate(run, error);
  }
}

/** Monitoring windows that have ended: the run succeeds. (Sampling and breaches: monitoring/.) */
export async function finishDueMonitoring(): Promise<number> {
  const db = getDb();
  const due = await db.upgradeRun.findMany({ where: { status: "monitoring", monitoringUntil: { lte: new Date() } }, select: { id: true } });
  for (const d of due) {
    const run = await loadRun(d.id);
    if (!run) continue;
    const step = run.steps.find((s) => s.key === "monitor");
    if (step) await db.upgradeStep.update({ where: { id: step.id }, data: { status: "succeeded", finishedAt: new Date() } });
    await completeUpgrade(run);
  }
  return due.length;
}
