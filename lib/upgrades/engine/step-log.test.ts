// A step's log lines are written in batches (step-log.ts). On a real run row with a real lease:
// the lines keep the order they were said in across batches (ids ascending), each batch is one
// notification, a line reaches the table without the step ending, the last lines land in the
// outcome's transaction ahead of it, and nothing is written once the lease is not this execution's.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { testDb } from "@/test/support/db";
import { DATABASE_URL } from "@/test/support/env";
import { waitUntil } from "@/test/support/wait";
import { stepsForKind } from "@/lib/upgrades/runbook";
import { RUN_EVENTS_CHANNEL } from "@/lib/events/run-events";
import { loadRun } from "@/lib/upgrades/engine/execute-run";
import { claimLease, LeaseLost, type Lease } from "@/lib/upgrades/engine/fencing";
import { openStepLog } from "@/lib/upgrades/engine/step-log";
import { finishStep } from "@/lib/upgrades/engine/step-writes";

let instanceId = "";
const listener = new pg.Client({ connectionString: DATABASE_URL });
const notified: string[] = [];

beforeAll(async () => {
  const inst = await testDb().instance.create({ data: { name: `steplog-${randomBytes(4).toString("hex")}`, url: "http://127.0.0.1:1", version: "1.0.0" } });
  instanceId = inst.id;
  await listener.connect();
  listener.on("notification", (m) => m.payload && notified.push(m.payload));
  await listener.query(`LISTEN ${RUN_EVENTS_CHANNEL}`);
});

afterAll(async () => {
  await listener.end();
  // Cascades to the runs: no 'running' run without a lease is left for a later file's sweep.
  if (instanceId) await testDb().instance.delete({ where: { id: instanceId } });
});

/** A running upgrade with its steps, leased to a fresh execution. */
async function leasedRun(): Promise<{ runId: string; stepId: string; lease: Lease }> {
  const run = await testDb().upgradeRun.create({
    data: { instanceId, fromVersion: "1.0.0", toVersion: "1.1.0", status: "running", trigger: "api", steps: { create: stepsForKind("upgrade").map((s, i) => ({ key: s.key, title: s.title, position: i, expectedSeconds: s.expectedSeconds })) } },
    include: { steps: { orderBy: { position: "asc" } } },
  });
  const lease = await claimLease(run.id, `step-log-test#${randomBytes(3).toString("hex")}`);
  if (!lease) throw new Error("no lease");
  return { runId: run.id, stepId: run.steps[0]!.id, lease };
}

const logs = (runId: string) => testDb().runEvent.findMany({ where: { runId, type: "log" }, orderBy: { id: "asc" }, select: { id: true, message: true } });

describe("step log batches", () => {
  it("keep the order said across batches, one notification a batch", async () => {
    const { runId, stepId, lease } = await leasedRun();
    const w = openStepLog(lease, runId, stepId, { batchLines: 7, flushMs: 10_000 });
    const said = Array.from({ length: 50 }, (_, i) => `line ${i}`);
    for (const m of said) w.log("info", m);
    await w.flush();
    const rows = await logs(runId);
    expect(rows.map((r) => r.message)).toEqual(said);
    expect(rows.every((r, i) => i === 0 || r.id > rows[i - 1]!.id)).toBe(true);
    // 7 full batches and the rest: 8 transactions, 8 notifications, not 50.
    await waitUntil("the notifications", async () => notified.filter((p) => p === runId).length >= 8, 5000, 20);
    expect(notified.filter((p) => p === runId)).toHaveLength(8);
  });

  it("a line is written by the timer while the step goes on", async () => {
    const { runId, stepId, lease } = await leasedRun();
    const w = openStepLog(lease, runId, stepId, { flushMs: 20 });
    w.log("info", "said mid-step");
    await waitUntil("the line", async () => (await logs(runId)).length === 1, 10_000, 20);
    await waitUntil("its notification", async () => notified.includes(runId), 5000, 20);
    expect(await w.takeRest()).toEqual([]);
  });

  it("the last lines land in the outcome's transaction, after a batch still under way and ahead of the outcome", async () => {
    const { runId, lease } = await leasedRun();
    const run = (await loadRun(runId))!;
    const [first, second] = run.steps;
    const w = openStepLog(lease, runId, first!.id, { batchLines: 5, flushMs: 10_000 });
    const said = Array.from({ length: 8 }, (_, i) => `step line ${i}`);
    for (const m of said) w.log("info", m); // 5 go as a batch now; 3 wait
    const rest = await w.takeRest();
    expect(rest.map((e) => e.message)).toEqual(said.slice(5));
    expect(await finishStep(lease, run, first!, { ok: true }, rest, second!)).toBe(true);

    const events = await testDb().runEvent.findMany({ where: { runId }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.message)).toEqual([...said, `${first!.title}: done`, `${second!.title}: started`]);
    const steps = await testDb().upgradeStep.findMany({ where: { runId }, orderBy: { position: "asc" }, take: 2 });
    expect(steps.map((s) => [s.status, s.attempts])).toEqual([["succeeded", 0], ["running", 1]]);
    expect(second).toMatchObject({ status: "running", attempts: 1 });
    expect((await testDb().upgradeRun.findUniqueOrThrow({ where: { id: runId } })).currentStepKey).toBe(second!.key);
  });

  it("nothing is written once the lease is another execution's, or has lapsed", async () => {
    const { runId, lease } = await leasedRun();
    const run = (await loadRun(runId))!;
    const step = run.steps[0]!;
    const w = openStepLog(lease, runId, step.id, { flushMs: 10_000 });
    w.log("info", "while leased");
    await w.flush();

    // Lapsed: still named, but expired.
    await testDb().upgradeRun.update({ where: { id: runId }, data: { leaseExpiresAt: new Date(Date.now() - 1000) } });
    w.log("info", "after the lease lapsed");
    await w.flush();
    // Taken over by another execution.
    await testDb().upgradeRun.update({ where: { id: runId }, data: { leaseOwner: "another-worker#1", leaseExpiresAt: new Date(Date.now() + 60_000) } });
    for (let i = 0; i < 3; i++) w.log("info", `after the takeover ${i}`);
    await w.flush();
    w.log("info", "the step's last words");
    await expect(finishStep(lease, run, step, {}, await w.takeRest(), run.steps[1]!)).rejects.toBeInstanceOf(LeaseLost);

    expect((await logs(runId)).map((r) => r.message)).toEqual(["while leased"]);
    const rows = await testDb().upgradeStep.findMany({ where: { runId }, orderBy: { position: "asc" }, take: 2 });
    expect(rows.map((s) => s.status)).toEqual(["pending", "pending"]);
  });
});
