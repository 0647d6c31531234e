import "server-only";
import { getDb, type Tx } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { loadRuntime } from "@/lib/runtime/load-runtime";
import { emitRunEvent } from "@/lib/events/run-events";
import { openAlert } from "@/lib/alerts/open-alert";
import { hintFor } from "@/lib/upgrades/runbook";
import { applyTransition, startRollbackRun } from "@/lib/upgrades/engine/transitions";
import { sampleBetween, type PlatformScrape } from "@/lib/monitoring/parse-prometheus";
import { scrapeInstance } from "@/lib/monitoring/scrape-instance";
import { probeInstance } from "@/lib/monitoring/probe-instance";
import { breachedMetrics, THRESHOLDS, type MetricKey, type MetricValues } from "@/lib/monitoring/thresholds";

const MONITOR_ACTOR = { type: "system" as const, label: "post-upgrade monitor" };

export type SampleOutcome = "sampled" | "baseline" | "not_due" | "busy" | "not_monitoring" | "unreachable";

// `failedAt`: when the current streak of failed scrapes began (cleared by a good scrape).
type MonitorResult = { scrape?: PlatformScrape; failedAt?: string; lastAttemptAt?: string } & Record<string, unknown>;

/**
 * Takes one sample of a run in `monitoring`, if one is due: scrapes the instance's /metrics,
 * stores the MetricSample (rates since the previous scrape, kept on the monitor step), checks for
 * a breach, and sends the probe requests the next sample will count. Any worker may call it at
 * any time; an advisory lock per run makes concurrent calls skip.
 */
export async function sampleRun(runId: string): Promise<SampleOutcome> {
  const env = getEnv();
  let probeUrl: string | null = null;
  const outcome = await getDb().$transaction(
    async (tx): Promise<SampleOutcome> => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(hashtext(${`monitor:${runId}`})) AS locked`;
      if (!lock?.locked) return "busy";
      const run = await tx.upgradeRun.findUnique({ where: { id: runId }, include: { instance: { include: { host: true } }, steps: { where: { key: "monitor" } } } });
      const step = run?.steps[0];
      if (!run || !step || run.status !== "monitoring") return "not_monitoring";
      const result = (step.result ?? {}) as MonitorResult;
      const prev = result.scrape;
      // A failed attempt waits an interval too, so an unreachable instance is not hammered.
      const last = Math.max(prev ? Date.parse(prev.at) : 0, result.lastAttemptAt ? Date.parse(result.lastAttemptAt) : 0);
      if (Date.now() - last < env.MONITOR_SAMPLE_SECONDS * 1000 - 500) return "not_due";

      const { baseUrl } = await loadRuntime(run.instance);
      const attemptAt = new Date().toISOString();
      let cur: PlatformScrape;
      try {
        cur = await scrapeInstance(baseUrl);
      } catch (e) {
        // Not a metric breach (health is the validation step's job), but the operator sees it in
        // the run's log once per streak, and the next scrape after it is a fresh baseline.
        const message = e instanceof Error ? e.message : String(e);
        const { scrape: _dropped, ...rest } = result;
        await tx.upgradeStep.update({ where: { id: step.id }, data: { result: { ...rest, lastAttemptAt: attemptAt, failedAt: result.failedAt ?? attemptAt } } });
        if (!result.failedAt) await emitRunEvent(tx, runId, { type: "log", stepId: step.id, level: "warn", message: `Monitoring could not sample the instance: ${message}` });
        return "unreachable";
      }
      probeUrl = baseUrl;
      if (result.failedAt) await emitRunEvent(tx, runId, { type: "log", stepId: step.id, level: "info", message: "Monitoring reaches the instance again" });
      const { failedAt: _cleared, ...kept } = result;
      await tx.upgradeStep.update({ where: { id: step.id }, data: { result: { ...kept, scrape: cur, lastAttemptAt: attemptAt } } });
      if (!prev) return "baseline";

      const values = sampleBetween(prev, cur);
      await tx.metricSample.create({ data: { instanceId: run.instanceId, runId, sampledAt: new Date(cur.at), errorRate: values.errorRate, p95Ms: values.p95Ms, cpuPercent: values.cpuPercent, memoryPercent: values.memoryPercent, queueDepth: values.queueDepth } });
      const recent = await tx.metricSample.findMany({ where: { runId }, orderBy: { sampledAt: "desc" }, take: env.MONITOR_BREACH_SAMPLES });
      const breached = breachedMetrics(recent.reverse(), env.MONITOR_BREACH_SAMPLES);
      if (breached.length > 0) await handleBreach(tx, { ...run, stepId: step.id }, breached, values, env.MONITOR_BREACH_SAMPLES);
      return "sampled";
    },
    { maxWait: 10_000, timeout: 30_000 },
  );
  // After the commit, and not awaited: a slow instance must hold neither the transaction nor the
  // worker's sweep. Failures are what the next scrape measures, so nothing is read here.
  if (probeUrl) void probeInstance(probeUrl, env.MONITOR_PROBE_REQUESTS);
  return outcome;
}

type BreachRun = { id: string; instanceId: string; fromVersion: string; toVersion: string; stepId: string; instance: { name: string; rollbackOnMonitoringBreach: boolean } };

/** One open alert per run and metric; then, where the instance's policy says so, the rollback. */
async function handleBreach(tx: Tx, run: BreachRun, breached: MetricKey[], latest: MetricValues, consecutive: number): Promise<void> {
  const parts: string[] = [];
  for (const metric of breached) {
    const t = THRESHOLDS[metric];
    const message = `${run.instance.name}: ${t.label} ${t.format(latest[metric])} over its limit of ${t.format(t.limit)} for ${consecutive} consecutive samples after the upgrade to ${run.toVersion}`;
    const { opened } = await openAlert(tx, { kind: "monitoring_breach", key: `monitoring_breach:${run.id}:${metric}`, message, severity: "critical", instanceId: run.instanceId, runId: run.id, value: latest[metric], threshold: t.limit });
    parts.push(`${t.label} ${t.format(latest[metric])} (limit ${t.format(t.limit)})`);
    if (opened) await emitRunEvent(tx, run.id, { type: "log", stepId: run.stepId, level: "error", message: `Monitoring breach: ${message}`, data: { metric, value: latest[metric], threshold: t.limit } });
  }
  if (!run.instance.rollbackOnMonitoringBreach) return;
  const reason = `Monitoring breach: ${parts.join(", ")}`;
  if (!(await applyTransition(tx, run.id, "roll_back_on_breach", { extra: { activeInstanceId: null, error: reason }, message: "Rolling back automatically: monitoring breach (instance policy)" }))) return;
  // The runbook's step-11 troubleshooting codes: errors first, anything else is performance.
  const errorCode = breached.includes("errorRate") ? "error_rate_high" : "performance_degraded";
  await tx.upgradeStep.update({ where: { id: run.stepId }, data: { status: "failed", finishedAt: new Date(), error: reason, errorCode, hint: hintFor("monitor", errorCode) } });
  await startRollbackRun(tx, run, { trigger: "auto_rollback", reason, actor: MONITOR_ACTOR });
}

