import "server-only";
import pg from "pg";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { loadRuntime, releaseArtifacts } from "@/lib/runtime/load-runtime";
import { hintFor, POINT_OF_NO_RETURN } from "@/lib/upgrades/runbook";
import { UPGRADE_STEP_FNS } from "@/lib/upgrades/engine/upgrade-steps";
import { ROLLBACK_STEP_FNS } from "@/lib/upgrades/engine/rollback-steps";
import { checklistGateOpen } from "@/lib/upgrades/engine/checklist-gate";
import { errorCode, type RunRow, type StepContext, type StepOutcome } from "@/lib/upgrades/engine/context";
import { claimLease, driverFence, LeaseLost, releaseLease, type Lease } from "@/lib/upgrades/engine/fencing";
import { beginStep, failStep, finishStep, gatedStep, nextStep, pastNoReturn, waitInStep } from "@/lib/upgrades/engine/step-writes";
import { openStepLog } from "@/lib/upgrades/engine/step-log";
import { undoPreMigrate } from "@/lib/upgrades/engine/undo-pre-migrate";
import { completeRollback, completeUpgrade, endBeforeMigrate, failAfterMigrate, failRollback, applyTransition } from "@/lib/upgrades/engine/transitions";
import { logError } from "@/lib/log";

export { beginStep } from "@/lib/upgrades/engine/step-writes";

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
  // It connects while the first step starts (queries wait for the connection); the first beat
  // is a quarter lease away.
  const hb = new pg.Client({ connectionString: getEnv().DATABASE_URL });
  hb.on("error", () => lost.abort());
  hb.connect().catch(() => lost.abort());
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

/** The releases a run moves between; they do not change under it, so one read an execution. */
async function loadReleases(run: RunRow) {
  const [targetRelease, sourceRelease] = await Promise.all([loadRelease(run.toVersion), loadRelease(run.fromVersion)]);
  return { target: releaseArtifacts(targetRelease), targetRelease, source: releaseArtifacts(sourceRelease), sourceRelease };
}

async function stepLoop(lease: Lease, signal: AbortSignal): Promise<void> {
  const db = getDb();
  // Read once: the execution then keeps the run as it writes it (step-writes.ts), and each of its
  // fenced transactions re-reads what others may change under the run's row lock.
  const run = await loadRun(lease.runId);
  if (!run || run.status !== "running") return;
  let releases: Awaited<ReturnType<typeof loadReleases>> | undefined;
  // The step the previous step's outcome transaction already started.
  let begun = false;
  for (;;) {
    if (signal.aborted) return;
    if (run.kind === "upgrade" && run.cancelRequestedAt && !pastNoReturn(run)) {
      await cancelBeforeMigrate(lease, run);
      return;
    }
    const step = nextStep(run);
    if (!step) {
      await (run.kind === "upgrade" ? completeUpgrade(run) : completeRollback(run));
      return;
    }
    if (!begun && gatedStep(run, step)) {
      const gate = await checklistGateOpen(run.id);
      if (!gate.open) {
        await db.$transaction((tx) => applyTransition(tx, run.id, "wait_for_checklist", { message: `Waiting for the checklist: ${gate.missing.join(", ")}` }));
        return;
      }
    }
    if (!begun && (await beginStep(lease, run, step)) === "cancel") {
      await cancelBeforeMigrate(lease, run);
      return;
    }

    // Log lines are fenced like every other write and batched (step-log.ts): in the order said,
    // and all of them before the step's outcome, whose transaction writes the last ones.
    const stepLog = openStepLog(lease, run.id, step.id);
    let outcome: StepOutcome;
    try {
      const fn = STEP_FNS[step.key];
      if (!fn) throw new Error(`No implementation for step ${step.key}`);
      const loaded = await loadRuntime(run.instance);
      loaded.runtime.fence = driverFence(lease, signal);
      releases ??= await loadReleases(run);
      const results = Object.fromEntries(run.steps.filter((s) => s.result).map((s) => [s.key, s.result as Record<string, unknown>]));
      outcome = await fn({ run, step, loaded, ...releases, log: stepLog.log, results, signal });
    } catch (e) {
      // Another execution owns the run now: nothing of this one's may be written.
      if (signal.aborted || e instanceof LeaseLost || errorCode(e) === "lease_lost") return void (await stepLog.flush());
      const code = errorCode(e);
      // The console's own database went away under the step: that is no verdict on the upgrade.
      // End this execution; the sweep resumes the run once the database is back, and the step
      // (idempotent) runs again. Bounded, so a step that keeps failing this way still fails.
      // (A code the runbook explains is a real answer from the instance, not this.) `attempts`
      // counts this attempt already.
      if (hintFor(step.key, code) === null && step.attempts <= MAX_TRANSIENT_ATTEMPTS && (looksLikeLostConnection(e) || !(await consoleDatabaseReachable()))) {
        await stepLog.flush();
        throw e;
      }
      const message = e instanceof Error ? e.message : String(e);
      if (code === "unexpected") logError(`step ${step.key} of run ${run.id} failed unexpectedly`, e);
      await failStep(lease, run, step, await stepLog.takeRest(), { message, code, hint: hintFor(step.key, code) });
      // Decided on the run as it is now (the instance's rollback policy may have changed).
      await handleFailure(lease, (await loadRun(run.id)) ?? run, step.position, `${step.title}: ${message.split("\n")[0]}`);
      return;
    }

    if (outcome && "waitUntil" in outcome && outcome.waitUntil instanceof Date) {
      await waitInStep(lease, run, step, await stepLog.takeRest(), outcome.waitUntil, outcome.result as Record<string, unknown>);
      return;
    }
    const following = run.steps.find((s) => s !== step && s.status !== "succeeded" && s.status !== "skipped");
    const chain = following && !gatedStep(run, following) ? following : null;
    begun = await finishStep(lease, run, step, (outcome ?? {}) as Record<string, unknown>, await stepLog.takeRest(), chain);
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
