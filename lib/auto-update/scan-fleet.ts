import "server-only";
import { getDb } from "@/lib/db";
import { evaluatePolicy, type PolicyDecision } from "@/lib/channels/policy";
import { createWindowCache } from "@/lib/channels/window-cache";
import { compareVersions } from "@/lib/versions";
import { autoRequest } from "@/lib/auto-update/auto-request";
import { createAutoUpgrades, type AutoPick } from "@/lib/auto-update/create-auto-upgrades";
import { logInfo } from "@/lib/log";
import type { UpgradeStatus } from "@/generated/prisma/enums";
import { TERMINAL_STATUSES } from "@/lib/upgrades/lifecycle";

// A target that was refused or went wrong once waits for a person: the scan never asks again for a
// version whose run was rejected, failed, rolled back or cancelled on this instance.
const SETTLED_BADLY: UpgradeStatus[] = TERMINAL_STATUSES.filter((s) => s !== "succeeded");

export type ScanAction = "started" | "scheduled" | "queued_for_approval" | "none";
export type ScanOutcome = { instanceId: string; instanceName: string; action: ScanAction; targetVersion: string | null; upgradeId: string | null; reason: string };

type Eligible = Extract<PolicyDecision, { eligible: true }>;

/**
 * One pass of the auto-update worker over the fleet: for every instance that is not frozen and has
 * no active run, the newest release the channel policy lets it take automatically is started,
 * scheduled for the next window, or queued for approval, as the policy says. The fleet is read in
 * a fixed number of statements (instances with their active run and windows, the failed targets,
 * releases, freezes), and the requests are written in batches (create-auto-upgrades.ts), whose row
 * locks, fresh reads and the unique active-run index keep it to one run per instance however many
 * workers scan at once.
 */
export async function scanFleet(now: Date = new Date()): Promise<ScanOutcome[]> {
  const db = getDb();
  const releases = await db.release.findMany({ where: { type: "platform" } });
  const scanned = { updateChannel: { not: "frozen" as const }, status: "active" as const };
  const instances = await db.instance.findMany({
    where: scanned,
    include: { activeRun: { select: { id: true, status: true } }, maintenanceWindows: true },
    orderBy: { name: "asc" },
  });
  // Every freeze that has not ended, read once per pass: the fleet's apply to every instance.
  const freezes = await db.freezePeriod.findMany({ where: { endsAt: { gt: now } } });
  // The targets that settled badly, for the whole fleet at once.
  const badlyRows = await db.upgradeRun.findMany({ where: { kind: "upgrade", status: { in: SETTLED_BADLY }, instance: scanned }, select: { instanceId: true, toVersion: true }, distinct: ["instanceId", "toVersion"] });
  const badlyByInstance = new Map<string, Set<string>>();
  for (const r of badlyRows) {
    const set = badlyByInstance.get(r.instanceId) ?? new Set<string>();
    set.add(r.toVersion);
    badlyByInstance.set(r.instanceId, set);
  }
  const fleetFreezes = freezes.filter((f) => f.instanceId === null);
  const windows = createWindowCache();
  const outcomes: ScanOutcome[] = [];
  const picks: (AutoPick & { name: string; reason: string })[] = [];
  for (const instance of instances) {
    const base = { instanceId: instance.id, instanceName: instance.name };
    if (instance.activeRun) {
      outcomes.push({ ...base, action: "none", targetVersion: null, upgradeId: instance.activeRun.id, reason: `An upgrade is already ${instance.activeRun.status.replace("_", " ")}.` });
      continue;
    }
    const newer = releases.filter((r) => compareVersions(r.version, instance.version) > 0);
    if (newer.length === 0) {
      outcomes.push({ ...base, action: "none", targetVersion: null, upgradeId: null, reason: "No newer release that the policy lets this instance take automatically." });
      continue;
    }
    const badly = badlyByInstance.get(instance.id) ?? new Set<string>();
    const own = freezes.some((f) => f.instanceId === instance.id) ? freezes.filter((f) => f.instanceId === null || f.instanceId === instance.id) : fleetFreezes;
    const policyInstance = { version: instance.version, updateChannel: instance.updateChannel, pinnedVersion: instance.pinnedVersion, timezone: instance.timezone, windows: instance.maintenanceWindows, freezes: own };
    const candidates = newer
      .sort((a, b) => compareVersions(b.version, a.version))
      .map((release) => ({ release, decision: evaluatePolicy({ instance: policyInstance, release, releases, now, trigger: "auto", windowAnswers: windows }) }))
      .filter((c): c is { release: typeof c.release; decision: Eligible } => c.decision.eligible && c.decision.when.kind !== "never")
      .filter((c) => !c.decision.path.some((v) => badly.has(v)));
    // Newest first; what the policy lets run without a person wins over what needs approval.
    const pick = candidates.find((c) => !c.decision.needsApproval) ?? candidates[0];
    if (!pick) {
      outcomes.push({ ...base, action: "none", targetVersion: null, upgradeId: null, reason: "No newer release that the policy lets this instance take automatically." });
      continue;
    }
    picks.push({ instanceId: instance.id, name: instance.name, targetVersion: pick.release.version, reason: pick.decision.reason, request: autoRequest(instance, pick.release.version, pick.decision, windows) });
  }
  const created = await createAutoUpgrades(picks, windows);
  for (const p of picks) {
    const r = created.get(p.instanceId);
    const base = { instanceId: p.instanceId, instanceName: p.name, targetVersion: p.targetVersion };
    if (!r?.status || !r.upgradeId) {
      outcomes.push({ ...base, action: "none", upgradeId: null, reason: r?.reason ?? "Not created." });
      continue;
    }
    const action: ScanAction = r.status === "pending_approval" ? "queued_for_approval" : r.status === "scheduled" ? "scheduled" : "started";
    logInfo("auto-update", { instance: p.name, action, target: p.targetVersion, upgradeId: r.upgradeId });
    outcomes.push({ ...base, action, upgradeId: r.upgradeId, reason: r.reason || p.reason });
  }
  // In the fleet's order (by name), as the instances were read.
  const byId = new Map(outcomes.map((o) => [o.instanceId, o]));
  return instances.map((i) => byId.get(i.id)).filter((o): o is ScanOutcome => o !== undefined);
}
