// The auto-update scan's batched requests (lib/auto-update/create-auto-upgrades.ts) on the real
// database: a batch writes exactly what `createUpgrade` writes one request at a time (runs, steps,
// checklists, events, notifications, audit entries, jobs), two scanners at once never make two
// active runs for one instance, and an instance that conflicts or breaks costs the rest of its
// chunk nothing. Instances here have no platform behind them: nothing runs their jobs, and the
// rows are removed at the end.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { testDb } from "@/test/support/db";
import { getDb } from "@/lib/db";
import { evaluatePolicy } from "@/lib/channels/policy";
import { directWindows } from "@/lib/channels/window-cache";
import { autoRequest } from "@/lib/auto-update/auto-request";
import { createAutoUpgrades, type AutoPick } from "@/lib/auto-update/create-auto-upgrades";
import { createUpgrade } from "@/lib/upgrades/create-upgrade";
import { insertRuns, withIds } from "@/lib/upgrades/create-runs-batch";
import { stopBoss } from "@/lib/jobs/queue";
import type { UpdateChannel } from "@/generated/prisma/enums";

const created: string[] = [];

afterAll(async () => {
  const runs = await testDb().upgradeRun.findMany({ where: { instanceId: { in: created } }, select: { id: true } });
  await testDb().$executeRawUnsafe(`DELETE FROM pgboss.job WHERE data->>'runId' = ANY($1::text[])`, runs.map((r) => r.id));
  await testDb().instance.deleteMany({ where: { id: { in: created } } });
  await stopBoss();
});

type Shape = { version: string; channel: UpdateChannel; pinned?: string; windowInDays?: number; timezone?: string };

// Four kinds of request: a security patch that starts now, a pinned release scheduled for a
// window, a breaking release queued for approval, and a two-hop plan on manual approval.
const SHAPES: Shape[] = [
  { version: "1.1.0", channel: "auto_update", windowInDays: 3 },
  { version: "1.0.0", channel: "auto_update", pinned: "1.2.0", windowInDays: 3, timezone: "America/New_York" },
  { version: "1.2.1", channel: "auto_update", windowInDays: 3 },
  { version: "1.0.0", channel: "manual_approval", timezone: "Asia/Tokyo" },
];

async function makeInstance(prefix: string, s: Shape): Promise<string> {
  const day = (new Date().getUTCDay() + (s.windowInDays ?? 0)) % 7;
  const row = await testDb().instance.create({
    data: {
      name: `${prefix}-${randomBytes(4).toString("hex")}`,
      url: "http://127.0.0.1:1",
      version: s.version,
      updateChannel: s.channel,
      pinnedVersion: s.pinned ?? null,
      timezone: s.timezone ?? "UTC",
      ...(s.windowInDays !== undefined ? { maintenanceWindows: { create: { dayOfWeek: day, startMinute: 180, durationMinutes: 60 } } } : {}),
    },
  });
  created.push(row.id);
  return row.id;
}

/** The scan's pick for an instance: the newest release the policy lets it take. */
async function pickFor(instanceId: string): Promise<AutoPick> {
  const db = testDb();
  const instance = await db.instance.findUniqueOrThrow({ where: { id: instanceId }, include: { maintenanceWindows: true } });
  const releases = await db.release.findMany({ where: { type: "platform" } });
  const now = new Date();
  const policyInstance = { version: instance.version, updateChannel: instance.updateChannel, pinnedVersion: instance.pinnedVersion, timezone: instance.timezone, windows: instance.maintenanceWindows, freezes: [] };
  const decisions = releases.map((release) => ({ release, d: evaluatePolicy({ instance: policyInstance, release, releases, now, trigger: "auto" }) }));
  const ok = decisions.filter((x) => x.d.eligible && x.d.when.kind !== "never").sort((a, b) => (a.release.version < b.release.version ? 1 : -1));
  const pick = ok.find((x) => x.d.eligible && !x.d.needsApproval) ?? ok[0];
  if (!pick || !pick.d.eligible) throw new Error(`no pick for ${instance.name}`);
  return { instanceId, targetVersion: pick.release.version, request: autoRequest(instance, pick.release.version, pick.d, directWindows) };
}

/** Everything a request wrote for an instance, without ids, names and moments. */
async function written(instanceId: string) {
  const db = testDb();
  const instance = await db.instance.findUniqueOrThrow({ where: { id: instanceId } });
  const runs = await db.upgradeRun.findMany({
    where: { instanceId },
    orderBy: { hopIndex: "asc" },
    include: { steps: { orderBy: { position: "asc" } }, checklistItems: { orderBy: { key: "asc" } }, events: { orderBy: { id: "asc" } } },
  });
  const ids = runs.map((r) => r.id);
  const outbox = await db.notificationOutbox.findMany({ where: { instanceId } });
  const audits = await db.auditLog.findMany({ where: { resourceId: instanceId }, orderBy: { id: "asc" } });
  const jobs = await db.$queryRawUnsafe<{ name: string; retry_limit: number; state: string }[]>(`SELECT name, retry_limit, state::text FROM pgboss.job WHERE data->>'runId' = ANY($1::text[])`, ids);
  const scrub = (v: unknown) => {
    let s = JSON.stringify(v);
    for (const [i, id] of ids.entries()) s = s.replaceAll(id, `<run${i}>`);
    return JSON.parse(s.replaceAll(instance.name, "<name>").replaceAll(instanceId, "<instance>").replace(/"planId":"[^"]+"/g, '"planId":"<plan>"')) as unknown;
  };
  return scrub({
    runs: runs.map((r) => ({
      kind: r.kind, fromVersion: r.fromVersion, toVersion: r.toVersion, status: r.status, trigger: r.trigger, active: r.activeInstanceId, requestedById: r.requestedById,
      rollbackPlan: r.rollbackPlan, urgent: r.urgent, policyReason: r.policyReason, planId: r.planId, hopIndex: r.hopIndex, scheduledFor: r.scheduledFor?.toISOString() ?? null, started: r.startedAt !== null,
      steps: r.steps.map((s) => ({ key: s.key, title: s.title, position: s.position, expectedSeconds: s.expectedSeconds, status: s.status })),
      checklist: r.checklistItems.map((c) => ({ key: c.key, checked: c.checked, bySystem: c.bySystem, note: c.note, checkedById: c.checkedById, at: c.checkedAt !== null })),
      events: r.events.map((e) => ({ type: e.type, message: e.message, data: e.data })),
    })),
    outbox: outbox.map((o) => ({ kind: o.kind, event: o.event, channelId: o.channelId, status: o.status, lastError: o.lastError, runId: o.runId, payload: o.payload })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    audits: audits.map((a) => ({ action: a.action, actorType: a.actorType, actorLabel: a.actorLabel, resourceType: a.resourceType, metadata: a.metadata, linked: a.hash !== "" })),
    jobs,
  });
}

describe("batched automatic requests", () => {
  it("write exactly what createUpgrade writes one request at a time", async () => {
    const one = await Promise.all(SHAPES.map((s) => makeInstance("t-one", s)));
    const batch = await Promise.all(SHAPES.map((s) => makeInstance("t-batch", s)));
    for (const id of one) await createUpgrade((await pickFor(id)).request);
    const result = await createAutoUpgrades(await Promise.all(batch.map(pickFor)), directWindows);
    expect([...result.values()].map((r) => r.status).sort()).toEqual(["pending_approval", "pending_approval", "running", "scheduled"]);
    for (const [i, id] of batch.entries()) {
      const mine = await written(id);
      expect(mine, SHAPES[i]?.version).toEqual(await written(one[i] as string));
    }
    // Every shape wrote something, and the audit entries were linked into the chain at commit.
    const all = (await Promise.all(batch.map(written))) as { runs: unknown[]; audits: { linked: boolean }[] }[];
    expect(all.every((w) => w.runs.length > 0 && w.audits.length === 1 && w.audits[0]?.linked)).toBe(true);
    expect(all.some((w) => w.runs.length > 1)).toBe(true);
  });

  it("never make two active runs for one instance when two scanners write at once", async () => {
    const ids = await Promise.all(Array.from({ length: 7 }, (_, k) => makeInstance("t-race", SHAPES[k % SHAPES.length] as Shape)));
    const picks = await Promise.all(ids.map(pickFor));
    const [a, b] = await Promise.all([createAutoUpgrades(picks, directWindows, { chunkSize: 3 }), createAutoUpgrades([...picks].reverse(), directWindows, { chunkSize: 2 })]);
    for (const id of ids) {
      expect(await testDb().upgradeRun.count({ where: { instanceId: id, hopIndex: 0 } }), id).toBe(1);
      expect(await testDb().auditLog.count({ where: { resourceId: id, action: "instance.upgrade.request" } })).toBe(1);
      // Exactly one of the two scanners created it; the other was told why not.
      expect([a.get(id)?.status ?? null, b.get(id)?.status ?? null].filter((s) => s !== null)).toHaveLength(1);
    }
  });

  it("skip an instance whose active run appeared under them, and write the rest of the chunk", async () => {
    const [taken, free1, free2] = await Promise.all([0, 1, 2].map(() => makeInstance("t-conflict", SHAPES[2] as Shape)));
    const picks = await Promise.all([taken, free1, free2].map((id) => pickFor(id as string)));
    // Another writer's active run, written without the instance lock: only the unique index stands in the way.
    await testDb().upgradeRun.create({ data: { instanceId: taken as string, activeInstanceId: taken as string, fromVersion: "1.2.1", toVersion: "2.0.0", status: "pending_approval", trigger: "manual" } });
    const heads = withIds(picks.map((p) => ({ instanceId: p.instanceId, kind: "upgrade" as const, fromVersion: "1.2.1", toVersion: "2.0.0", status: "pending_approval" as const, trigger: "auto_update" as const, active: true })));
    const ids = await getDb().$transaction((tx) => insertRuns(tx, heads));
    expect([...ids].sort()).toEqual([heads[1]?.id, heads[2]?.id].sort());
    expect(await testDb().upgradeStep.count({ where: { runId: heads[0]?.id } })).toBe(0);
    expect(await testDb().runEvent.count({ where: { runId: { in: [...ids] } } })).toBe(2);
    expect(await testDb().upgradeRun.count({ where: { instanceId: taken as string } })).toBe(1);
  });

  it("fall back to one request at a time for a chunk that fails, and lose only the broken instance", async () => {
    // Scheduled for a window: the policy has to read the windows in the instance's zone.
    const ids = await Promise.all([0, 1, 2, 3].map(() => makeInstance("t-broken", SHAPES[1] as Shape)));
    const picks = await Promise.all(ids.map(pickFor));
    // The instance changed under the scan into one whose windows cannot be read.
    await testDb().instance.update({ where: { id: ids[1] as string }, data: { timezone: "Mars/Olympus" } });
    const result = await createAutoUpgrades(picks, directWindows);
    expect(result.get(ids[1] as string)?.status).toBeNull();
    for (const id of [ids[0], ids[2], ids[3]] as string[]) {
      expect(result.get(id)?.status, id).toBe("scheduled");
      expect(await testDb().upgradeRun.count({ where: { instanceId: id, activeInstanceId: id } })).toBe(1);
    }
    expect(await testDb().upgradeRun.count({ where: { instanceId: ids[1] as string } })).toBe(0);
  });
});
