import "server-only";
import { getDb, type Tx } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { chunks } from "@/lib/bulk-insert";
import { recordAudits, type AuditInput } from "@/lib/audit/record-audit";
import { evaluatePolicy } from "@/lib/channels/policy";
import type { WindowAnswers } from "@/lib/channels/window-cache";
import { enqueueRuns } from "@/lib/jobs/queue";
import { createUpgrade } from "@/lib/upgrades/create-upgrade";
import { insertRuns, withIds, type BatchRun } from "@/lib/upgrades/create-runs-batch";
import { planUpgradeRuns, type PlannedUpgrade } from "@/lib/upgrades/plan-upgrade-runs";
import { AUTO_UPDATE, autoRequest } from "@/lib/auto-update/auto-request";
import { logError } from "@/lib/log";
import type { UpgradeStatus } from "@/generated/prisma/enums";

// The auto-update scan's requests, written in batches: for each chunk of instances (in id order,
// so that two scanners lock them in the same order and never deadlock) one transaction locks the
// rows, reads them again, asks the policy again, and writes every run, step, checklist item,
// event, notification, audit entry and job with a few multi-row INSERTs. What a request writes is
// what `createUpgrade` writes (planUpgradeRuns, prepareRun). A chunk that fails is done again one
// request at a time through `createUpgrade`, so one bad instance costs its chunk nothing.

export const CHUNK_SIZE = 200;

export type AutoPick = { instanceId: string; targetVersion: string; request: ReturnType<typeof autoRequest> };
export type AutoResult = { status: UpgradeStatus | null; upgradeId: string | null; reason: string };

type Planned = { pick: AutoPick; plan: PlannedUpgrade; head: BatchRun; reason: string };

async function createChunk(tx: Tx, picks: AutoPick[], windows: WindowAnswers): Promise<Map<string, AutoResult>> {
  const ids = picks.map((p) => p.instanceId);
  const out = new Map<string, AutoResult>();
  await tx.$queryRaw`SELECT id FROM instances WHERE id = ANY(${ids}) ORDER BY id FOR UPDATE`;
  const now = new Date();
  const instances = new Map((await tx.instance.findMany({ where: { id: { in: ids } }, include: { activeRun: { select: { id: true, status: true } }, maintenanceWindows: true } })).map((i) => [i.id, i]));
  const releases = await tx.release.findMany({ where: { type: "platform" } });
  const freezes = await tx.freezePeriod.findMany({ where: { endsAt: { gt: now }, OR: [{ instanceId: null }, { instanceId: { in: ids } }] } });
  const planned: Planned[] = [];
  for (const pick of picks) {
    const instance = instances.get(pick.instanceId);
    const release = releases.find((r) => r.version === pick.targetVersion);
    if (!instance || !release) {
      out.set(pick.instanceId, { status: null, upgradeId: null, reason: !instance ? `No instance with id ${pick.instanceId}.` : `${pick.targetVersion} is not a known release.` });
      continue;
    }
    if (instance.activeRun) {
      out.set(pick.instanceId, { status: null, upgradeId: null, reason: `The instance already has an active run (${instance.activeRun.id}, ${instance.activeRun.status}).` });
      continue;
    }
    const own = freezes.filter((f) => f.instanceId === null || f.instanceId === instance.id);
    const policyInstance = { version: instance.version, updateChannel: instance.updateChannel, pinnedVersion: instance.pinnedVersion, timezone: instance.timezone, windows: instance.maintenanceWindows, freezes: own };
    const decision = evaluatePolicy({ instance: policyInstance, release, releases, now, trigger: "auto", windowAnswers: windows });
    if (!decision.eligible || decision.when.kind === "never") {
      out.set(pick.instanceId, { status: null, upgradeId: null, reason: decision.reason });
      continue;
    }
    const plan = planUpgradeRuns(autoRequest(instance, pick.targetVersion, decision, windows), instance.version, decision, now);
    const [head] = withIds(plan.runs.slice(0, 1));
    if (head) planned.push({ pick, plan, head, reason: decision.reason });
  }
  // Heads first: a head the unique active-run index refuses takes its later hops with it.
  const written = await insertRuns(tx, planned.map((p) => p.head));
  const done = planned.filter((p) => written.has(p.head.id));
  await insertRuns(tx, done.flatMap((p) => withIds(p.plan.runs.slice(1))));
  await recordAudits(tx, AUTO_UPDATE, done.flatMap((p): AuditInput[] => p.plan.audits(p.head.id)));
  await enqueueRuns(done.filter((p) => p.plan.firstStatus === "running").map((p) => p.head.id), tx);
  for (const p of planned) {
    out.set(p.pick.instanceId, written.has(p.head.id) ? { status: p.plan.firstStatus, upgradeId: p.head.id, reason: p.reason } : { status: null, upgradeId: null, reason: "The instance already has an active run." });
  }
  return out;
}

/** One request through `createUpgrade`: the path of a chunk that failed. */
async function createOne(pick: AutoPick): Promise<AutoResult> {
  try {
    const created = await createUpgrade(pick.request);
    return { status: created.status as UpgradeStatus, upgradeId: created.id, reason: "" };
  } catch (e) {
    // Another worker (or a person) got there first, or the instance changed under us.
    if (!isAppError(e)) logError("auto-update request failed", e, { instanceId: pick.instanceId });
    return { status: null, upgradeId: null, reason: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Creates the scan's requests, CHUNK_SIZE instances per transaction; returns each instance's
 * result (status null: nothing was created, and why).
 */
export async function createAutoUpgrades(picks: AutoPick[], windows: WindowAnswers, opts: { chunkSize?: number } = {}): Promise<Map<string, AutoResult>> {
  const sorted = [...picks].sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
  const out = new Map<string, AutoResult>();
  for (const chunk of chunks(sorted, opts.chunkSize ?? CHUNK_SIZE)) {
    try {
      for (const [id, r] of await getDb().$transaction((tx) => createChunk(tx, chunk, windows))) out.set(id, r);
    } catch (e) {
      logError("auto-update batch failed; creating its requests one by one", e, { instances: chunk.length });
      for (const pick of chunk) out.set(pick.instanceId, await createOne(pick));
    }
  }
  return out;
}
