// Post-upgrade monitoring end to end: a real worker samples real reference-platform instances
// during their monitoring window, through the REST API of the running server.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { api } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { waitUntil } from "@/test/support/wait";
import { startWorker, type WorkerHandle } from "@/test/support/worker";
import { createTestInstance, FULL_CHECKLIST, instanceVersion, readItems, stopTestInstance, waitForRun, writeItem, type TestInstance } from "@/test/support/instances";
import { readPlatformScrape, parsePrometheusText, sampleBetween } from "@/lib/monitoring/parse-prometheus";
import { writeSnapshot } from "@/lib/upgrades/engine/config-snapshots";
import { runtimeConfigSchema } from "@/lib/runtime/load-runtime";
import { METRICS, THRESHOLDS } from "@/lib/monitoring/thresholds";

vi.setConfig({ testTimeout: 240_000 });

let worker: WorkerHandle;
const instances: TestInstance[] = [];
const BREACH_SAMPLES = 3;

async function instance(version: string) {
  const i = await createTestInstance(version);
  instances.push(i);
  return i;
}

async function startUpgrade(i: TestInstance, targetVersion: string) {
  const res = await api("superadmin", "POST", `/api/superadmin/instances/${i.id}/upgrades`, { targetVersion, checklist: FULL_CHECKLIST, rollbackPlan: "Runbook rollback." });
  expect(res.status, res.text).toBe(201);
  return (res.json as { upgrade: { id: string } }).upgrade.id;
}

const waitFor = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 120_000) => waitUntil(what, fn, timeoutMs, 500);

beforeAll(() => {
  // The sweep runs every 5 s, so samples come every 5 s; breaches need 3 in a row.
  worker = startWorker({ MONITOR_SAMPLE_SECONDS: "1", MONITOR_BREACH_SAMPLES: String(BREACH_SAMPLES), MONITOR_PROBE_REQUESTS: "5" });
});

afterAll(async () => {
  await worker.stop();
  for (const i of instances) await stopTestInstance(i).catch(() => undefined);
});

describe("the Prometheus reader on the platform's own /metrics", () => {
  it("reads the request counter, the latency histogram and the gauges, and rates between two scrapes", async () => {
    const inst = await instance("1.0.0");
    const first = await (await fetch(`${inst.url}/metrics`)).text();
    for (let i = 0; i < 10; i++) await (await fetch(`${inst.url}/api/version`)).arrayBuffer();
    const second = await (await fetch(`${inst.url}/metrics`)).text();
    const names = new Set(parsePrometheusText(second).map((s) => s.name));
    for (const n of ["http_requests_total", "http_request_duration_seconds_bucket", "process_cpu_percent", "process_memory_percent", "webwaka_job_queue_depth"]) expect(names, n).toContain(n);
    const a = readPlatformScrape(first, new Date());
    const b = readPlatformScrape(second, new Date());
    expect(b.buckets.at(-1)?.[0]).toBe("+Inf");
    const s = sampleBetween(a, b);
    // The 10 probes and the first scrape itself (counted once answered).
    expect(s.requests).toBe(11);
    expect(s.errorRate).toBe(0);
    expect(s.p95Ms).toBeGreaterThan(0);
    expect(s.p95Ms).toBeLessThan(THRESHOLDS.p95Ms.limit);
    expect(s.memoryPercent).toBeGreaterThan(0);
  });
});

describe("a good upgrade's monitoring window", () => {
  let inst: TestInstance;
  let runId = "";

  it("stores samples under every threshold and raises no alert", async () => {
    inst = await instance("1.0.0");
    runId = await startUpgrade(inst, "1.1.0");
    expect((await waitForRun(runId)).status).toBe("monitoring");
    const samples = await waitFor("3 samples", async () => {
      const rows = await testDb().metricSample.findMany({ where: { runId }, orderBy: { sampledAt: "asc" } });
      return rows.length >= 3 ? rows : null;
    });
    for (const s of samples) for (const m of METRICS) expect(s[m], `${m} of a sample`).toBeLessThanOrEqual(THRESHOLDS[m].limit);
    expect(samples.every((s) => s.instanceId === inst.id)).toBe(true);
    expect(await testDb().alert.count({ where: { runId } })).toBe(0);
    expect((await testDb().upgradeRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("monitoring");

    const res = await api("viewer", "GET", `/api/superadmin/upgrades/${runId}/metrics`);
    expect(res.status, res.text).toBe(200);
    const body = res.json as { samples: { at: string; errorRate: number }[]; thresholds: { metric: string; limit: number }[]; alerts: unknown[]; status: string };
    expect(body.samples.length).toBeGreaterThanOrEqual(3);
    expect(body.thresholds.map((t) => t.metric)).toEqual([...METRICS]);
    expect(body).toMatchObject({ status: "monitoring", alerts: [] });
  });

  it("logs an instance it cannot reach once per streak, takes no sample and raises no alert", async () => {
    const count = () => testDb().metricSample.count({ where: { runId } });
    const warnings = () => testDb().runEvent.count({ where: { runId, type: "log", message: { startsWith: "Monitoring could not sample the instance" } } });
    await stopTestInstance(inst);
    await waitFor("the warning", async () => (await warnings()) > 0);
    const samples = await count();
    // Two more sweeps (5 s apart) of the same outage.
    await new Promise((r) => setTimeout(r, 11_000));
    expect(await warnings()).toBe(1);
    expect(await count()).toBe(samples);
    expect(await testDb().alert.count({ where: { runId } })).toBe(0);
    expect((await testDb().upgradeRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("monitoring");
  });
});

describe("a monitoring breach (1.1.1-fault.errors)", () => {
  it("passes validation, then its climbing error rate opens one alert and rolls back automatically to a healthy 1.0.0", async () => {
    const inst = await instance("1.0.0");
    await writeItem(inst, "before the faulty build");
    // The instance's policy, through the API: roll back on a breach, a one-hour window.
    const patch = await api("superadmin", "PATCH", `/api/superadmin/instances/${inst.id}`, { rollbackOnMonitoringBreach: true, monitoringWindowMinutes: 60 });
    expect(patch.status, patch.text).toBe(200);
    expect(patch.json).toMatchObject({ rollbackOnMonitoringBreach: true, monitoringWindowMinutes: 60 });
    expect((await api("superadmin", "PATCH", `/api/superadmin/instances/${inst.id}`, { monitoringWindowMinutes: 1 })).status).toBe(422);
    const audit = await testDb().auditLog.findFirst({ where: { action: "instance.update", resourceId: inst.id }, orderBy: { id: "desc" } });
    expect(audit?.metadata).toMatchObject({ changes: { rollbackOnMonitoringBreach: { from: false, to: true }, monitoringWindowMinutes: { from: 30, to: 60 } } });

    // The faulty build fails no request for its first 20 s (validation, on a busy machine), then ramps to 100% in 5 s.
    const row = await testDb().instance.findUniqueOrThrow({ where: { id: inst.id } });
    const config = runtimeConfigSchema.parse(row.runtimeConfig);
    await writeSnapshot(inst.id, config.configFile, { DB_POOL_SIZE: 5, FAULT_ERROR_DELAY_SECONDS: 20, FAULT_ERROR_RAMP_SECONDS: 5 }, "1.0.0");

    const runId = await startUpgrade(inst, "1.1.1-fault.errors");
    const monitoring = await waitForRun(runId);
    expect(monitoring.status, JSON.stringify(monitoring.steps.map((s) => [s.key, s.status, s.error]))).toBe("monitoring");
    expect(monitoring.steps.find((s) => s.key === "validate")?.status).toBe("succeeded");

    const run = await waitForRun(runId, (s) => ["rolled_back", "failed", "succeeded"].includes(s), 180_000);
    expect(run.status).toBe("rolled_back");
    const monitor = run.steps.find((s) => s.key === "monitor");
    expect(monitor).toMatchObject({ status: "failed", errorCode: "error_rate_high" });
    expect(monitor?.hint).toBeTruthy();

    const samples = await testDb().metricSample.findMany({ where: { runId }, orderBy: { sampledAt: "asc" } });
    expect(samples.length).toBeGreaterThanOrEqual(BREACH_SAMPLES);
    for (const s of samples.slice(-BREACH_SAMPLES)) expect(s.errorRate).toBeGreaterThan(THRESHOLDS.errorRate.limit);

    const alerts = await testDb().alert.findMany({ where: { runId } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: "monitoring_breach", status: "open", instanceId: inst.id, dedupKey: `monitoring_breach:${runId}:errorRate`, threshold: 0.01, severity: "critical" });

    const rollback = run.childRuns[0];
    expect(rollback).toMatchObject({ kind: "rollback", status: "succeeded", trigger: "auto_rollback" });
    const started = await testDb().auditLog.findFirst({ where: { action: "instance.upgrade.rollback.start", resourceId: inst.id } });
    expect(started).toMatchObject({ actorType: "system", actorLabel: "post-upgrade monitor" });

    expect(await instanceVersion(inst)).toBe("1.0.0");
    const health = await (await fetch(`${inst.url}/health/status`)).json();
    expect(health).toMatchObject({ status: "healthy", maintenance: { enabled: false } });
    expect(await readItems(inst)).toContain("before the faulty build");
    expect(await testDb().instance.findUniqueOrThrow({ where: { id: inst.id } })).toMatchObject({ version: "1.0.0", status: "active" });

    const metrics = await api("viewer", "GET", `/api/superadmin/upgrades/${runId}/metrics`);
    expect(metrics.json).toMatchObject({ status: "rolled_back", alerts: [{ kind: "monitoring_breach" }] });
  });
});
