// The engine end to end on the process driver: real platform processes, real databases, real
// pg_dump/pg_restore, real worker processes, driven through the REST API of the running server.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import pg from "pg";
import { api } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { startWorker, type WorkerHandle } from "@/test/support/worker";
import { createTestInstance, FULL_CHECKLIST, instanceVersion, readItems, stopTestInstance, waitForRun, writeItem, type TestInstance } from "@/test/support/instances";

// Real upgrades take seconds, a crash-and-resume waits out a lease: longer than the default.
vi.setConfig({ testTimeout: 180_000 });

let worker: WorkerHandle;
const instances: TestInstance[] = [];

async function instance(version: string, opts: Parameters<typeof createTestInstance>[1] = {}) {
  const i = await createTestInstance(version, opts);
  instances.push(i);
  return i;
}

async function startUpgrade(i: TestInstance, targetVersion: string, extra: Record<string, unknown> = { checklist: FULL_CHECKLIST, rollbackPlan: "Runbook rollback." }) {
  const res = await api("superadmin", "POST", `/api/superadmin/instances/${i.id}/upgrades`, { targetVersion, ...extra });
  expect(res.status, res.text).toBe(201);
  return (res.json as { upgrade: { id: string; status: string } }).upgrade;
}

async function schemaTables(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    return rows.map((r) => r.t);
  } finally {
    await c.end();
  }
}

beforeAll(() => {
  worker = startWorker();
});

afterAll(async () => {
  await worker.stop();
  for (const i of instances) await stopTestInstance(i).catch(() => undefined);
});

describe("an upgrade, 1.0.0 → 1.1.0 (process driver)", () => {
  let inst: TestInstance;
  let runId = "";

  it("runs all 11 runbook steps against the real instance and keeps its data", async () => {
    inst = await instance("1.0.0");
    await writeItem(inst, "written before the upgrade");
    const up = await startUpgrade(inst, "1.1.0");
    runId = up.id;
    expect(up.status).toBe("running");
    const run = await waitForRun(runId);
    expect(run.status, JSON.stringify(run.steps.map((s) => [s.key, s.status, s.error]))).toBe("monitoring");
    expect(run.steps.map((s) => s.key)).toEqual(["preparation", "backup", "pre_checks", "maintenance_on", "pull_artifacts", "migrate", "configure", "deploy", "validate", "maintenance_off", "monitor"]);
    expect(run.steps.slice(0, 10).every((s) => s.status === "succeeded")).toBe(true);
    expect(await instanceVersion(inst)).toBe("1.1.0");
    expect(await readItems(inst)).toContain("written before the upgrade");
    expect(await schemaTables(inst.databaseUrl)).toContain("audit_events");
    const row = await testDb().instance.findUniqueOrThrow({ where: { id: inst.id } });
    expect(row).toMatchObject({ version: "1.1.0", status: "active", maintenanceMode: false });
  });

  it("answers the DESIGN's Upgrade shape, with a verified backup and the checklist ticked with who and when", async () => {
    const res = await api("viewer", "GET", `/api/superadmin/upgrades/${runId}`);
    expect(res.status).toBe(200);
    const u = res.json as { steps: Record<string, unknown>[]; checklist: { key: string; checked: boolean; checkedBy: string | null; checkedAt: string | null }[]; statusPage: unknown };
    expect(u).toMatchObject({ id: runId, instanceId: inst.id, fromVersion: "1.0.0", toVersion: "1.1.0", status: "monitoring", trigger: "api" });
    expect(Object.keys(u.steps[0] ?? {})).toEqual(expect.arrayContaining(["key", "title", "status", "startedAt", "finishedAt", "expectedSeconds", "error", "hint"]));
    expect(u).toHaveProperty("statusPage");
    for (const c of u.checklist) expect(c.checked && c.checkedBy && c.checkedAt, c.key).toBeTruthy();
    expect(u.checklist.find((c) => c.key === "backupCompleted")?.checkedBy).toBe("console");
    const backups = await api("viewer", "GET", `/api/superadmin/instances/${inst.id}/backups`);
    const list = (backups.json as { backups: { status: string; sha256: string; verifiedAt: string; sizeBytes: number }[] }).backups;
    expect(list[0]).toMatchObject({ status: "completed", sha256: expect.stringMatching(/^[0-9a-f]{64}$/), verifiedAt: expect.any(String) });
  });

  it("recorded logs, timings and audit entries", async () => {
    const events = await testDb().runEvent.findMany({ where: { runId }, orderBy: { id: "asc" } });
    expect(events.filter((e) => e.type === "log").length).toBeGreaterThan(15);
    const steps = await testDb().upgradeStep.findMany({ where: { runId, status: "succeeded" } });
    for (const s of steps) expect(s.finishedAt && s.startedAt && s.finishedAt >= s.startedAt).toBeTruthy();
    const audit = await testDb().auditLog.findMany({ where: { resourceId: inst.id, action: { startsWith: "instance." } } });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["instance.provision", "instance.upgrade.request"]));
  });

  it("streams events over SSE and replays from Last-Event-ID", async () => {
    const all = await testDb().runEvent.findMany({ where: { runId }, orderBy: { id: "asc" }, select: { id: true } });
    const middle = all[Math.floor(all.length / 2)]?.id ?? 0n;
    const ctrl = new AbortController();
    const { BASE_URL, TOKENS } = await import("@/test/support/env");
    const res = await fetch(`${BASE_URL}/api/superadmin/upgrades/${runId}/events`, { headers: { authorization: `Bearer ${TOKENS.viewer}`, "last-event-id": middle.toString() }, signal: ctrl.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    let text = "";
    const want = all.filter((e) => e.id > middle).length;
    while ((text.match(/^id: /gm) ?? []).length < want) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    ctrl.abort();
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => BigInt(m[1] ?? "0"));
    expect(ids.length).toBe(want);
    expect(ids.every((id) => id > middle)).toBe(true);
    expect(text).toContain("event: step_status");
  });

  it("an operator can roll it back by hand: migrations down, previous version, data kept", async () => {
    await writeItem(inst, "written during monitoring");
    const res = await api("superadmin", "POST", `/api/superadmin/upgrades/${runId}/rollback`, { reason: "test: manual rollback" });
    expect(res.status, res.text).toBe(202);
    const rollbackId = (res.json as { rollback: { id: string } }).rollback.id;
    const rb = await waitForRun(rollbackId);
    expect(rb.status, JSON.stringify(rb.steps.map((s) => [s.key, s.status, s.error]))).toBe("succeeded");
    expect((await waitForRun(runId)).status).toBe("rolled_back");
    expect(await instanceVersion(inst)).toBe("1.0.0");
    expect(await schemaTables(inst.databaseUrl)).not.toContain("audit_events");
    // Migrations down keep every row, even those written after the upgrade.
    expect(await readItems(inst)).toEqual(expect.arrayContaining(["written before the upgrade", "written during monitoring"]));
    const entry = await testDb().auditLog.findFirst({ where: { action: "instance.upgrade.rollback", resourceId: inst.id } });
    expect(entry).not.toBeNull();
  });
});

describe("faulty builds roll back automatically", () => {
  it.each([
    ["1.1.1-fault.migration", "migrate", "migration_failed"],
    ["1.1.1-fault.unhealthy", "validate", "health_check_failed"],
    ["1.1.1-fault.errors", "validate", "error_rate_high"],
  ])("%s fails at %s (%s) and the instance is healthy on 1.0.0 with its data", async (version, failedStep, code) => {
    const inst = await instance("1.0.0");
    await writeItem(inst, `before ${version}`);
    const up = await startUpgrade(inst, version);
    const run = await waitForRun(up.id, (s) => ["rolled_back", "failed", "succeeded", "monitoring"].includes(s), 120_000);
    expect(run.status).toBe("rolled_back");
    const failed = run.steps.find((s) => s.status === "failed");
    expect(failed).toMatchObject({ key: failedStep, errorCode: code });
    expect(failed?.hint).toBeTruthy();
    expect(run.childRuns[0]).toMatchObject({ kind: "rollback", status: "succeeded" });
    expect(await instanceVersion(inst)).toBe("1.0.0");
    const health = await (await fetch(`${inst.url}/health/status`)).json();
    expect(health).toMatchObject({ status: "healthy", maintenance: { enabled: false } });
    expect(await readItems(inst)).toContain(`before ${version}`);
    expect(await testDb().instance.findUniqueOrThrow({ where: { id: inst.id } })).toMatchObject({ version: "1.0.0", status: "active", maintenanceMode: false });
  });

  it("with auto-rollback off, the run stays failed for an operator", async () => {
    const inst = await instance("1.0.0", { autoRollback: false });
    const up = await startUpgrade(inst, "1.1.1-fault.migration");
    const run = await waitForRun(up.id);
    expect(run.status).toBe("failed");
    expect(run.childRuns).toHaveLength(0);
  });
});

describe("durability", () => {
  it("20 concurrent starts make exactly one run", async () => {
    const inst = await instance("1.0.0");
    const results = await Promise.all(Array.from({ length: 20 }, () => api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/upgrades`, { targetVersion: "1.1.0" })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const losers = results.filter((r) => r.status === 409);
    for (const l of losers) expect((l.json as { error: { message: string } }).error.message).toMatch(/active run/);
    expect(await testDb().upgradeRun.count({ where: { instanceId: inst.id } })).toBe(1);
  });

  it("a run whose worker is killed (SIGKILL) mid-run is resumed by another worker and ends correctly", async () => {
    const inst = await instance("1.0.0");
    await writeItem(inst, "before the crash");
    // Two fresh workers compete with the suite's worker; the run's lease owner gets killed.
    const a = startWorker();
    const b = startWorker();
    try {
      const up = await startUpgrade(inst, "1.1.0");
      let killed: string | null = null;
      const deadline = Date.now() + 60_000;
      while (!killed && Date.now() < deadline) {
        const r = await testDb().upgradeRun.findUniqueOrThrow({ where: { id: up.id } });
        if (r.leaseOwner && r.currentStepKey && ["backup", "pre_checks", "maintenance_on", "pull_artifacts", "migrate", "configure", "deploy", "validate"].includes(r.currentStepKey)) {
          const pid = Number(r.leaseOwner.split(":")[1]);
          const victim = [worker, a, b].find((w) => w.pid === pid);
          if (victim) {
            await victim.kill();
            killed = `${r.currentStepKey} (pid ${pid})`;
            if (victim === worker) worker = startWorker();
          }
        }
        if (!killed) await new Promise((r) => setTimeout(r, 20));
      }
      expect(killed, "the run was never caught mid-step").not.toBeNull();
      const run = await waitForRun(up.id);
      expect(run.status, `killed at ${killed}; ${JSON.stringify(run.steps.map((s) => [s.key, s.status, s.error]))}`).toBe("monitoring");
      expect(run.leaseOwner).toBeNull();
      expect(await instanceVersion(inst)).toBe("1.1.0");
      expect(await readItems(inst)).toContain("before the crash");
      const resumed = await testDb().runEvent.count({ where: { runId: up.id, message: { contains: "resumed" } } });
      expect(resumed).toBeGreaterThan(0);

      // The instance outlives the console: kill -9 every worker that ever ran it.
      for (const w of [a, b, worker]) await w.kill();
      worker = startWorker();
      expect(await instanceVersion(inst)).toBe("1.1.0");
      const fresh = await testDb().instance.findUniqueOrThrow({ where: { id: inst.id }, include: { host: true } });
      const { loadRuntime } = await import("@/lib/runtime/load-runtime");
      const loaded = await loadRuntime(fresh);
      expect(await loaded.driver.status(loaded.runtime)).toMatchObject({ app: { running: true, version: "1.1.0" }, worker: { running: true, version: "1.1.0" } });
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

describe("the checklist gate, cancel and approvals", () => {
  it("waits before maintenance until every item is ticked, then continues", async () => {
    const inst = await instance("1.0.0");
    const up = await startUpgrade(inst, "1.1.0", { rollbackPlan: "Runbook rollback." });
    const waiting = await waitForRun(up.id, (s) => s === "awaiting_checklist");
    expect(waiting.steps.filter((s) => s.status === "succeeded").map((s) => s.key)).toEqual(["preparation", "backup", "pre_checks"]);
    expect((await (await fetch(`${inst.url}/health/status`)).json()).maintenance.enabled).toBe(false);
    const partial = await api("superadmin", "POST", `/api/superadmin/upgrades/${up.id}/checklist`, { items: { stakeholdersNotified: true } });
    expect(partial.json).toMatchObject({ gateOpen: false });
    const rest = await api("superadmin", "POST", `/api/superadmin/upgrades/${up.id}/checklist`, { items: { maintenanceWindowScheduled: true, rollbackPlanPrepared: true } });
    expect(rest.json).toMatchObject({ gateOpen: true });
    expect((await waitForRun(up.id)).status).toBe("monitoring");
  });

  it("a superadmin overrides the gate with a written reason (audited); an approver may not", async () => {
    const inst = await instance("1.0.0");
    const up = await startUpgrade(inst, "1.1.0", {});
    await waitForRun(up.id, (s) => s === "awaiting_checklist");
    expect((await api("approver", "POST", `/api/superadmin/upgrades/${up.id}/checklist`, { override: { reason: "I would like to skip this please" } })).status).toBe(403);
    expect((await api("superadmin", "POST", `/api/superadmin/upgrades/${up.id}/checklist`, { override: { reason: "short" } })).status).toBe(422);
    const ok = await api("superadmin", "POST", `/api/superadmin/upgrades/${up.id}/checklist`, { override: { reason: "Emergency security window agreed with the owner" } });
    expect(ok.status, ok.text).toBe(200);
    expect((await waitForRun(up.id)).status).toBe("monitoring");
    expect(await testDb().auditLog.findFirst({ where: { action: "instance.upgrade.checklist.override", resourceId: up.id } })).not.toBeNull();
  });

  it("cancelled before migrate, the instance returns untouched", async () => {
    const inst = await instance("1.0.0");
    await writeItem(inst, "kept");
    const up = await startUpgrade(inst, "1.1.0", {});
    await waitForRun(up.id, (s) => s === "awaiting_checklist");
    const res = await api("superadmin", "POST", `/api/superadmin/upgrades/${up.id}/cancel`);
    expect(res.status, res.text).toBe(202);
    expect((await waitForRun(up.id)).status).toBe("cancelled");
    expect(await instanceVersion(inst)).toBe("1.0.0");
    expect(await schemaTables(inst.databaseUrl)).not.toContain("audit_events");
    expect(await readItems(inst)).toContain("kept");
    expect(await testDb().instance.findUniqueOrThrow({ where: { id: inst.id } })).toMatchObject({ status: "active", maintenanceMode: false, version: "1.0.0" });
  });

  it("after migrate, cancel is refused with a pointer to rollback", async () => {
    const inst = await instance("1.0.0");
    const up = await startUpgrade(inst, "1.1.0");
    await waitForRun(up.id);
    const res = await api("superadmin", "POST", `/api/superadmin/upgrades/${up.id}/cancel`);
    expect(res.status).toBe(409);
    expect((res.json as { error: { message: string } }).error.message).toMatch(/roll it back/);
  });

  it("manual-approval: four eyes, then the run starts", async () => {
    const inst = await instance("1.0.0", { channel: "manual_approval" });
    const up = await startUpgrade(inst, "1.1.0");
    expect(up.status).toBe("pending_approval");
    expect((await api("superadmin", "POST", `/api/superadmin/upgrades/${up.id}/approve`, { comment: "mine", rollbackPlanAcknowledged: true })).status).toBe(403);
    expect((await api("approver", "POST", `/api/superadmin/upgrades/${up.id}/approve`, { comment: "ok" })).status).toBe(422);
    const ok = await api("approver", "POST", `/api/superadmin/upgrades/${up.id}/approve`, { comment: "Looks good", rollbackPlanAcknowledged: true });
    expect(ok.json).toMatchObject({ status: "running" });
    expect((await waitForRun(up.id)).status).toBe("monitoring");
  });

  it("a frozen or pinned instance refuses other targets with the policy's reason", async () => {
    const inst = await instance("1.0.0", { channel: "frozen" });
    const res = await api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/upgrades`, { targetVersion: "1.1.0" });
    expect(res.status).toBe(409);
    expect((res.json as { error: { message: string } }).error.message).toMatch(/frozen/);
  });
});

describe("paths and emergency rollback", () => {
  it("1.0.0 → 2.0.0 runs as a planned path through 1.2.1, renaming the config key for 2.0.0", async () => {
    const inst = await instance("1.0.0");
    await writeItem(inst, "from 1.0.0");
    const res = await api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/upgrades`, { targetVersion: "2.0.0", checklist: FULL_CHECKLIST, rollbackPlan: "Runbook rollback." });
    expect(res.status, res.text).toBe(201);
    const body = res.json as { upgrade: { id: string; path: string[]; status: string } };
    expect(body.upgrade.path).toEqual(["1.2.1", "2.0.0"]);
    // A breaking release needs an approval even on the auto-update channel; it covers the plan.
    expect(body.upgrade.status).toBe("pending_approval");
    const approved = await api("approver", "POST", `/api/superadmin/upgrades/${body.upgrade.id}/approve`, { comment: "2.0.0 config change reviewed", rollbackPlanAcknowledged: true });
    expect(approved.json).toMatchObject({ status: "running" });
    const hops = await testDb().upgradeRun.findMany({ where: { instanceId: inst.id }, orderBy: { hopIndex: "asc" } });
    expect(hops.map((h) => [h.fromVersion, h.toVersion])).toEqual([["1.0.0", "1.2.1"], ["1.2.1", "2.0.0"]]);
    expect((await waitForRun(hops[0]!.id)).status).toBe("succeeded");
    const last = await waitForRun(hops[1]!.id, undefined, 120_000);
    expect(last.status, JSON.stringify(last.steps.map((s) => [s.key, s.status, s.error]))).toBe("monitoring");
    expect(await instanceVersion(inst)).toBe("2.0.0");
    const snap = await testDb().configSnapshot.findFirstOrThrow({ where: { instanceId: inst.id }, orderBy: { version: "desc" } });
    expect(snap.content).toMatchObject({ DATABASE_POOL_MAX: 5 });
    expect(snap.content).not.toHaveProperty("DB_POOL_SIZE");
    expect(await readItems(inst)).toContain("from 1.0.0");
  });

  it("emergency rollback restores the pre-upgrade backup, redeploys the previous version and pages on-call", async () => {
    const inst = await instance("1.0.0");
    await writeItem(inst, "before the upgrade");
    const up = await startUpgrade(inst, "1.1.0");
    expect((await waitForRun(up.id)).status).toBe("monitoring");
    await writeItem(inst, "after the upgrade");
    const before = await testDb().auditLog.count();
    const res = await api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/rollback/emergency`);
    expect(res.status, res.text).toBe(202);
    const { rollback } = res.json as { rollback: { id: string; status: string } };
    const rb = await waitForRun(rollback.id);
    expect(rb.status, JSON.stringify(rb.steps.map((s) => [s.key, s.status, s.error]))).toBe("succeeded");
    expect(rb.steps.map((s) => s.key)).toEqual(["em_maintenance_on", "em_stop_new", "em_restore_db", "em_deploy_previous", "em_health", "em_maintenance_off", "em_page_oncall"]);
    expect(await instanceVersion(inst)).toBe("1.0.0");
    // The database is the backup's: rows written after it are gone, rows before it are back.
    const items = await readItems(inst);
    expect(items).toContain("before the upgrade");
    expect(items).not.toContain("after the upgrade");
    expect(await schemaTables(inst.databaseUrl)).not.toContain("audit_events");
    const outbox = await testDb().notificationOutbox.findMany({ where: { runId: rollback.id } });
    expect(outbox.map((o) => o.kind).sort()).toEqual(["email", "pagerduty", "slack"]);
    expect((await testDb().upgradeRun.findUniqueOrThrow({ where: { id: up.id } })).status).toBe("rolled_back");
    expect(await testDb().instance.findUniqueOrThrow({ where: { id: inst.id } })).toMatchObject({ version: "1.0.0", status: "active" });
    expect(await testDb().auditLog.count()).toBeGreaterThan(before);
    expect(await testDb().auditLog.findFirst({ where: { action: "instance.upgrade.rollback.emergency", resourceId: inst.id } })).not.toBeNull();
  });

  it("emergency rollback with nothing to roll back to answers 409", async () => {
    const inst = await instance("1.0.0");
    const res = await api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/rollback/emergency`);
    expect(res.status).toBe(409);
  });
});

describe("backups on request", () => {
  it("POST backup answers 202, and a worker completes and verifies it", async () => {
    const inst = await instance("1.0.0");
    const res = await api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/backup`);
    expect(res.status, res.text).toBe(202);
    const { backup } = res.json as { backup: { id: string; status: string } };
    expect(backup.status).toBe("pending");
    const deadline = Date.now() + 30_000;
    let latest: { status: string } | undefined;
    while (Date.now() < deadline) {
      const list = await api("viewer", "GET", `/api/superadmin/instances/${inst.id}/backups`);
      latest = (list.json as { backups: { id: string; status: string }[] }).backups.find((b) => b.id === backup.id);
      if (latest?.status === "completed" || latest?.status === "failed") break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(latest?.status).toBe("completed");
    const parts = await testDb().backupPart.findMany({ where: { backupId: backup.id } });
    expect(parts.map((p) => p.kind).sort()).toEqual(["assets", "config", "database"]);
  });
});

describe("channel policy in the engine", () => {
  it("a run asked for later is scheduled, then starts by itself when its time comes", async () => {
    const inst = await instance("1.0.0");
    const at = new Date(Date.now() + 4000).toISOString();
    const up = await startUpgrade(inst, "1.1.0", { checklist: FULL_CHECKLIST, rollbackPlan: "Runbook rollback.", scheduledFor: at });
    expect(up.status).toBe("scheduled");
    const row = await testDb().upgradeRun.findUniqueOrThrow({ where: { id: up.id } });
    expect(row.scheduledFor?.toISOString()).toBe(at);
    expect((await waitForRun(up.id)).status).toBe("monitoring");
    expect((await testDb().upgradeRun.findUniqueOrThrow({ where: { id: up.id } })).startedAt!.getTime()).toBeGreaterThanOrEqual(new Date(at).getTime());
  });

  it("auto-update waits for the instance's next maintenance window", async () => {
    const inst = await instance("1.0.0");
    // A window three days from now, in the instance's zone: never open during the test.
    const day = (new Date().getUTCDay() + 3) % 7;
    const patch = await api("superadmin", "PATCH", `/api/superadmin/instances/${inst.id}`, { maintenanceWindow: { timezone: "UTC", windows: [{ dayOfWeek: day, start: "03:00", durationMinutes: 60 }] } });
    expect(patch.status, patch.text).toBe(200);
    const up = await startUpgrade(inst, "1.1.0");
    expect(up.status).toBe("scheduled");
    const row = await testDb().upgradeRun.findUniqueOrThrow({ where: { id: up.id } });
    expect(row.scheduledFor?.getUTCDay()).toBe(day);
    expect(row.scheduledFor?.toISOString()).toMatch(/T03:00:00\.000Z$/);
    expect(row.policyReason).toMatch(/window/i);
    // A scheduled run can still be cancelled, and leaves the instance free.
    expect((await api("superadmin", "POST", `/api/superadmin/upgrades/${up.id}/cancel`)).json).toMatchObject({ status: "cancelled" });
  });

  it("frozen: only a critical security patch, with a superadmin's written override, which is audited", async () => {
    const inst = await instance("1.0.0", { channel: "frozen" });
    const refused = await api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/upgrades`, { targetVersion: "1.2.1" });
    expect(refused.status).toBe(409);
    expect((refused.json as { error: { details: { policy: string } } }).error.details.policy).toBe("frozen");
    const noCritical = await api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/upgrades`, { targetVersion: "1.1.0", securityOverride: { reason: "Please let this one through" } });
    expect(noCritical.status).toBe(409);
    const up = await startUpgrade(inst, "1.2.1", { checklist: FULL_CHECKLIST, rollbackPlan: "Runbook rollback.", securityOverride: { reason: "Session fixation fix (1.2.1), approved by the owner" } });
    expect(up.status).toBe("running");
    expect((await waitForRun(up.id)).status).toBe("monitoring");
    expect(await instanceVersion(inst)).toBe("1.2.1");
    expect(await testDb().auditLog.findFirst({ where: { action: "instance.upgrade.security_override", resourceId: inst.id } })).not.toBeNull();
  });
});
