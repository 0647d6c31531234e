// The runbook's fleet alerts against rows in the real database. The rows sit in 2001, and the
// rules are evaluated "as of" then, so nothing else in the suite's database counts. No worker
// runs in this file: only the evaluations the tests make touch the fleet alerts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { api, BASE_URL } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { evaluateFleetAlerts } from "@/lib/alerts/evaluate-fleet-alerts";
import type { UpgradeStatus } from "@/generated/prisma/enums";
import { encryptSecret } from "@/lib/crypto";

const T = new Date("2001-03-01T12:00:00Z");
const at = (minutesBeforeT: number) => new Date(T.getTime() - minutesBeforeT * 60_000);
const evaluate = (now = T) => evaluateFleetAlerts({ now, periodHours: 24, minRuns: 10 });
const openWithKey = (key: string) => testDb().alert.findMany({ where: { dedupKey: key, status: "open" } });

let instanceId = "";
// An on-call webhook that hears alerts: every opened alert must queue exactly one delivery to it.
// No worker runs here, so nothing is sent; the channel goes at the end.
let onCallId = "";

async function upgradeRun(status: UpgradeStatus, finishedMinutesBeforeT: number | null, startedMinutesBeforeT = 120) {
  return testDb().upgradeRun.create({
    data: { instanceId, kind: "upgrade", fromVersion: "1.0.0", toVersion: "1.1.0", status, trigger: "manual", startedAt: at(startedMinutesBeforeT), finishedAt: finishedMinutesBeforeT === null ? null : at(finishedMinutesBeforeT) },
  });
}

async function rolledBackRun(finishedMinutesBeforeT: number) {
  const up = await upgradeRun("rolled_back", finishedMinutesBeforeT);
  await testDb().upgradeRun.create({ data: { instanceId, kind: "rollback", fromVersion: "1.1.0", toVersion: "1.0.0", status: "succeeded", trigger: "auto_rollback", parentRunId: up.id, startedAt: at(finishedMinutesBeforeT + 5), finishedAt: at(finishedMinutesBeforeT) } });
  return up;
}

beforeAll(async () => {
  const row = await testDb().instance.create({ data: { name: `fleet-${randomBytes(4).toString("hex")}`, url: "http://127.0.0.1:1", version: "1.0.0" } });
  instanceId = row.id;
  onCallId = (await testDb().notificationChannel.create({ data: { kind: "webhook", name: "on-call (fleet alerts test)", targetEncrypted: encryptSecret("http://127.0.0.1:9/alerts"), events: ["alert.fired"] } })).id;
});

afterAll(async () => {
  await testDb().notificationOutbox.deleteMany({ where: { channelId: onCallId } });
  await testDb().notificationChannel.delete({ where: { id: onCallId } });
  await testDb().alert.deleteMany({ where: { OR: [{ instanceId }, { dedupKey: { in: ["success_rate", "rollback_rate", "post_upgrade_error_rate"] } }] } });
  await testDb().instance.delete({ where: { id: instanceId } });
});

describe("success rate and rollback rate", () => {
  it("do not fire below the minimum number of finished upgrades", async () => {
    // 5 ended upgrades: 80% success, 20% rolled back, but 5 < 10 runs.
    await rolledBackRun(60);
    for (let i = 0; i < 4; i++) await upgradeRun("succeeded", 30 + i);
    // Runs still going, cancelled or from before the period do not count.
    await upgradeRun("cancelled", 10);
    await upgradeRun("failed", 60 * 30);
    await evaluate();
    expect(await openWithKey("success_rate")).toHaveLength(0);
    expect(await openWithKey("rollback_rate")).toHaveLength(0);
  });

  it("open once there are enough runs, exactly once however often they are evaluated", async () => {
    // 10 ended upgrades: 9 succeeded (90% < 95%), 1 rolled back (10% > 5%).
    for (let i = 0; i < 5; i++) await upgradeRun("succeeded", 20 + i);
    const first = await evaluate();
    await Promise.all([evaluate(), evaluate(), evaluate()]);
    const success = await openWithKey("success_rate");
    const rollback = await openWithKey("rollback_rate");
    expect(success).toHaveLength(1);
    expect(rollback).toHaveLength(1);
    expect(first.opened).toEqual(expect.arrayContaining([success[0]?.id, rollback[0]?.id]));
    expect(success[0]).toMatchObject({ kind: "success_rate", value: 0.9, threshold: 0.95 });
    expect(rollback[0]).toMatchObject({ kind: "rollback_rate", value: 0.1, threshold: 0.05 });
    const audit = await testDb().auditLog.findFirst({ where: { action: "alert.open", resourceId: success[0]?.id } });
    expect(audit).toMatchObject({ actorType: "system" });
    // Notified once each, in the transaction that opened them.
    for (const a of [success[0], rollback[0]]) {
      const rows = await testDb().notificationOutbox.findMany({ where: { channelId: onCallId, event: "alert.fired" } });
      expect(rows.filter((r) => JSON.stringify(r.payload).includes(a!.id))).toHaveLength(1);
    }
  });

  it("are exported on the console's /metrics while open", async () => {
    const text = await (await fetch(`${BASE_URL}/metrics`)).text();
    expect(text).toMatch(/^webwaka_console_open_alerts\{kind="success_rate"\} 1$/m);
    expect(text).toMatch(/^webwaka_console_open_alerts\{kind="rollback_rate"\} 1$/m);
    expect(text).toMatch(/^webwaka_console_open_alerts\{kind="monitoring_breach"\} \d+$/m);
    expect(text).toMatch(/^webwaka_console_upgrade_success_ratio (\d|NaN)/m);
    expect(text).toMatch(/^webwaka_console_upgrade_rollback_ratio (\d|NaN)/m);
    expect(text).toMatch(/^webwaka_console_active_runs \d+$/m);
    expect(text).toMatch(/^webwaka_console_instance_versions\{version="1\.0\.0"\} [1-9]\d*$/m);
  });

  it("resolve when the period no longer holds the failures", async () => {
    const res = await evaluate(new Date(T.getTime() + 48 * 3_600_000));
    expect(res.resolved).toEqual(expect.arrayContaining(["success_rate", "rollback_rate"]));
    expect(await openWithKey("success_rate")).toHaveLength(0);
    expect(await openWithKey("rollback_rate")).toHaveLength(0);
  });
});

describe("post-upgrade error rate", () => {
  it("needs enough samples, opens over 1% and resolves", async () => {
    const run = await upgradeRun("succeeded", 5);
    const sample = (i: number) => ({ instanceId, runId: run.id, sampledAt: at(60 + i), errorRate: 0.05, p95Ms: 20, cpuPercent: 1, memoryPercent: 1, queueDepth: 0 });
    await testDb().metricSample.createMany({ data: Array.from({ length: 9 }, (_, i) => sample(i)) });
    await evaluate();
    expect(await openWithKey("post_upgrade_error_rate")).toHaveLength(0);
    await testDb().metricSample.create({ data: sample(9) });
    await evaluate();
    const open = await openWithKey("post_upgrade_error_rate");
    expect(open).toHaveLength(1);
    expect(open[0]?.value).toBeCloseTo(0.05);
    await evaluate(new Date(T.getTime() + 48 * 3_600_000));
    expect(await openWithKey("post_upgrade_error_rate")).toHaveLength(0);
  });
});

describe("upgrade duration", () => {
  it("opens one alert per run running over 30 minutes and resolves it when the run ends", async () => {
    const long = await upgradeRun("running", null, 45);
    const short = await upgradeRun("running", null, 10);
    await evaluate();
    await evaluate();
    const open = await openWithKey(`upgrade_duration:${long.id}`);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ kind: "upgrade_duration", runId: long.id, instanceId, value: 45, threshold: 30 });
    expect(await openWithKey(`upgrade_duration:${short.id}`)).toHaveLength(0);
    await testDb().upgradeRun.update({ where: { id: long.id }, data: { status: "failed", finishedAt: T } });
    await testDb().upgradeRun.update({ where: { id: short.id }, data: { status: "failed", finishedAt: T } });
    const res = await evaluate();
    expect(res.resolved).toContain(`upgrade_duration:${long.id}`);
    expect(await openWithKey(`upgrade_duration:${long.id}`)).toHaveLength(0);
  });
});

describe("resolving by hand", () => {
  it("a superadmin resolves an open alert (audited); a second resolve conflicts; the list shows it", async () => {
    await upgradeRun("running", null, 40);
    await evaluate();
    const [alert] = await testDb().alert.findMany({ where: { instanceId, kind: "upgrade_duration", status: "open" } });
    expect(alert).toBeDefined();
    const listed = await api("viewer", "GET", "/api/superadmin/alerts?status=open");
    expect((listed.json as { alerts: { id: string }[] }).alerts.map((a) => a.id)).toContain(alert?.id);
    const res = await api("superadmin", "POST", `/api/superadmin/alerts/${alert?.id}/resolve`, { comment: "known slow host" });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ alert: { id: alert?.id, status: "resolved", resolvedAt: expect.any(String) } });
    const entry = await testDb().auditLog.findFirst({ where: { action: "alert.resolve", resourceId: alert?.id, actorType: "token" } });
    expect(entry?.metadata).toMatchObject({ comment: "known slow host" });
    expect((await api("superadmin", "POST", `/api/superadmin/alerts/${alert?.id}/resolve`)).status).toBe(409);
    expect((await api("superadmin", "GET", "/api/superadmin/alerts?status=closed")).status).toBe(422);
  });
});
