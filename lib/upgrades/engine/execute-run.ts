import "server-only";
import pg from "pg";
import { getDb, type Tx } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { emitRunEvent } from "@/lib/events/run-events";
import { loadRuntime, releaseArtifacts } from "@/lib/runtime/load-runtime";
import { hintFor, POINT_OF_NO_RETURN } from "@/lib/upgrades/runbook";
import { UPGRADE_STEP_FNS } from "@/lib/upgrades/engine/upgrade-steps";
import { ROLLBACK_STEP_FNS } from "@/lib/upgrades/engine/rollback-steps";
import { checklistGateOpen } from "@/lib/upgrades/engine/checklist-gate";
import { errorCode, type RunRow, type StepContext, type StepOutcome } from "@/lib/upgrades/engine/context";
import { completeRollback, completeUpgrade, endBeforeMigrate, failAfterMigrate, failRollback, moveRun } from "@/lib/upgrades/engine/transitions";
import { resumeJobs, setPlatformMaintenance } from "@/lib/runtime/platform-client";
import { logError } from "@/lib/log";
import type { LogLevel } from "@/lib/runtime/types";

const leaseSeconds = () => getEnv().RUN_LEASE_SECONDS;

const STEP_FNS: Record<string, (ctx: StepContext) => Promise<StepOutcome>> = { ...UPGRADE_STEP_FNS, ...ROLLBACK_STEP_FNS };

async function loadRun(runId: string): Promise<RunRow | null> {
  return getDb().upgradeRun.findUnique({ where: { id: runId }, include: { steps: { orderBy: { position: "asc" } }, instance: { include: { host: true } } } });
}

async function loadRelease(version: string) {
  return getDb().release.findUniqueOrThrow({ where: { type_version: { type: "platform", version } }, include: { artifacts: true } });
}

/** Takes the run's lease if it is free or stale. */
async function claimLease(runId: string, owner: string): Promise<boolean> {
  const n = await getDb().$executeRaw`
    UPDATE upgrade_runs SET lease_owner = ${owner}, lease_expires_at = now() + make_interval(secs => ${leaseSeconds()}), heartbeat_at = now()
    WHERE id = ${runId} AND status = 'running' AND (lease_owner IS NULL OR lease_expires_at < now())`;
  return n > 0;
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
  if (!(await claimLease(runId, workerId))) return;
  const db = getDb();
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
    await runSteps(runId, workerId, lost.signal);
  } finally {
    clearInterval(heartbeat);
    await hb.end().catch(() => undefined);
    await db.$executeRaw`UPDATE upgrade_runs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ${runId} AND lease_owner = ${workerId}`;
  }
}

/**
 * Fencing: a step's outcome is written only by the worker that still holds the run's lease. A
 * worker whose lease lapsed (a long pause, a network partition) may finish its step, but another
 * worker owns the run by then, and this worker's writes are refused.
 */
class LeaseLost extends Error {}

async function fenced<T>(runId: string, workerId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return getDb().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ lease_owner: string | null }[]>`SELECT lease_owner FROM upgrade_runs WHERE id = ${runId} FOR UPDATE`;
    if (rows[0]?.lease_owner !== workerId) throw new LeaseLost();
    return fn(tx);
  });
}

async function runSteps(runId: string, workerId: string, signal: AbortSignal): Promise<void> {
  try {
    await stepLoop(runId, workerId, signal);
  } catch (e) {
    if (!(e instanceof LeaseLost)) throw e;
  }
}

async function stepLoop(runId: string, workerId: string, signal: AbortSignal): Promise<void> {
  const db = getDb();
  for (;;) {
    if (signal.aborted) return;
    const run = await loadRun(runId);
    if (!run || run.status !== "running") return;
    const migrateStep = run.steps.find((s) => s.key === POINT_OF_NO_RETURN);
    const pastNoReturn = run.kind === "upgrade" && !!migrateStep && migrateStep.status !== "pending";

    if (run.kind === "upgrade" && run.cancelRequestedAt && !pastNoReturn) {
      await undoPreMigrate(run);
      await endBeforeMigrate(run, "cancelled", null);
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

    const now = new Date();
    await fenced(runId, workerId, async (tx) => {
      await tx.upgradeStep.update({ where: { id: step.id }, data: { status: "running", attempts: { increment: 1 }, startedAt: step.startedAt ?? now, error: null, errorCode: null, hint: null } });
      await tx.upgradeRun.update({ where: { id: run.id }, data: { currentStepKey: step.key, ...(run.startedAt ? {} : { startedAt: now }) } });
      if (run.kind === "upgrade" && step.key === "preparation" && run.instance.status === "active") await tx.instance.update({ where: { id: run.instanceId }, data: { status: "upgrading" } });
      await emitRunEvent(tx, run.id, { type: "step_status", stepId: step.id, message: `${step.title}: ${step.attempts > 0 ? "resumed" : "started"}`, data: { key: step.key, status: "running", attempt: step.attempts + 1 } });
    });

    const log = (level: LogLevel, message: string) => {
      void db.$transaction((tx) => emitRunEvent(tx, run.id, { type: "log", stepId: step.id, level, message })).catch(() => undefined);
    };
    let outcome: StepOutcome;
    try {
      const fn = STEP_FNS[step.key];
      if (!fn) throw new Error(`No implementation for step ${step.key}`);
      const loaded = await loadRuntime(run.instance);
      const [targetRelease, sourceRelease] = await Promise.all([loadRelease(run.toVersion), loadRelease(run.fromVersion)]);
      const results = Object.fromEntries(run.steps.filter((s) => s.result).map((s) => [s.key, s.result as Record<string, unknown>]));
      outcome = await fn({ run, step, loaded, target: releaseArtifacts(targetRelease), targetRelease, source: releaseArtifacts(sourceRelease), sourceRelease, log, results, signal });
    } catch (e) {
      if (signal.aborted) return; // another worker owns the run now
      const code = errorCode(e);
      const message = e instanceof Error ? e.message : String(e);
      if (code === "unexpected") logError(`step ${step.key} of run ${run.id} failed unexpectedly`, e);
      const hint = hintFor(step.key, code);
      await fenced(runId, workerId, async (tx) => {
        await tx.upgradeStep.update({ where: { id: step.id }, data: { status: "failed", finishedAt: new Date(), error: message.slice(0, 4000), errorCode: code, hint } });
        await emitRunEvent(tx, run.id, { type: "step_status", stepId: step.id, level: "error", message: `${step.title} failed: ${message.split("\n")[0]}`, data: { key: step.key, status: "failed", code, hint } });
      });
      await handleFailure(run, step.position, `${step.title}: ${message.split("\n")[0]}`);
      return;
    }

    if (outcome && "waitUntil" in outcome && outcome.waitUntil instanceof Date) {
      const until = outcome.waitUntil;
      await fenced(runId, workerId, async (tx) => {
        await tx.upgradeStep.update({ where: { id: step.id }, data: { status: "waiting", result: outcome.result as object } });
        await moveRun(tx, run.id, ["running"], "monitoring", { monitoringUntil: until }, `Monitoring until ${until.toISOString()}`);
      });
      return;
    }
    await fenced(runId, workerId, async (tx) => {
      await tx.upgradeStep.update({ where: { id: step.id }, data: { status: "succeeded", finishedAt: new Date(), result: (outcome ?? {}) as object } });
      await emitRunEvent(tx, run.id, { type: "step_status", stepId: step.id, message: `${step.title}: done`, data: { key: step.key, status: "succeeded" } });
    });
  }
}

async function handleFailure(run: RunRow, failedPosition: number, error: string): Promise<void> {
  if (run.kind !== "upgrade") {
    await failRollback(run, error);
    return;
  }
  const migratePos = run.steps.find((s) => s.key === POINT_OF_NO_RETURN)?.position ?? Number.MAX_SAFE_INTEGER;
  if (failedPosition < migratePos) {
    await undoPreMigrate(run);
    await endBeforeMigrate(run, "failed", error);
  } else {
    await failAfterMigrate(run, error);
  }
}

/** Before `migrate` nothing changed but maintenance mode and the paused queue: undo those. */
async function undoPreMigrate(run: RunRow): Promise<void> {
  const fresh = await loadRun(run.id);
  const touched = fresh?.steps.some((s) => (s.key === "maintenance_on" || s.key === "pre_checks") && s.status !== "pending");
  if (!touched) return;
  try {
    const loaded = await loadRuntime(run.instance);
    await setPlatformMaintenance(loaded.baseUrl, loaded.runtime.adminToken, false);
    await resumeJobs(loaded.baseUrl, loaded.runtime.adminToken);
    await getDb().$transaction((tx) => emitRunEvent(tx, run.id, { type: "log", level: "info", message: "Maintenance mode off and job queue resumed; the previous version keeps serving" }));
  } catch (e) {
    await getDb().$transaction((tx) => emitRunEvent(tx, run.id, { type: "log", level: "error", message: `Could not leave maintenance mode: ${e instanceof Error ? e.message : String(e)}` }));
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
