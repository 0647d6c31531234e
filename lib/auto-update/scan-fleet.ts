import "server-only";
import { getDb } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { evaluatePolicy, type PolicyDecision } from "@/lib/channels/policy";
import { formatLocal } from "@/lib/channels/windows";
import { compareVersions } from "@/lib/versions";
import { createUpgrade } from "@/lib/upgrades/create-upgrade";
import { logError, logInfo } from "@/lib/log";
import type { ChecklistKey, UpgradeStatus } from "@/generated/prisma/enums";

const AUTO_UPDATE = { type: "system" as const, label: "auto-update" };

// A target that was refused or went wrong once waits for a person: the scan never asks again for a
// version whose run was rejected, failed, rolled back or cancelled on this instance.
const SETTLED_BADLY: UpgradeStatus[] = ["rejected", "failed", "rolled_back", "cancelled"];

export type ScanAction = "started" | "scheduled" | "queued_for_approval" | "none";
export type ScanOutcome = { instanceId: string; instanceName: string; action: ScanAction; targetVersion: string | null; upgradeId: string | null; reason: string };

type Eligible = Extract<PolicyDecision, { eligible: true }>;

/** The rollback plan an automatic request carries, so approvers have one to acknowledge. */
function standardRollbackPlan(from: string, autoRollback: boolean): string {
  return [
    `Before any change the console takes and verifies a backup (database dump, config snapshot, assets).`,
    autoRollback
      ? `A failure from the migrate step on rolls back automatically: migrations down to ${from}'s schema, the previous config restored, ${from} redeployed and health-checked, maintenance off.`
      : `Automatic rollback is off for this instance: after a failure an operator starts the rollback from the run page (migrations down, previous config, ${from} redeployed).`,
    `If data cannot be migrated down, the emergency rollback restores the database from the pre-upgrade backup and redeploys ${from}.`,
  ].join("\n");
}

function systemChecklist(d: Eligible, timezone: string): { key: ChecklistKey; note: string }[] {
  const plan = { key: "rollbackPlanPrepared" as const, note: "The standard rollback plan of automatic upgrades is attached to the run." };
  // An approver decides the rest: the console only vouches for what it wrote itself.
  if (d.needsApproval) return [plan];
  const when =
    d.when.kind === "window"
      ? `Scheduled by the auto-update policy for the maintenance window at ${formatLocal(d.when.at, timezone)}.`
      : `The auto-update policy runs it now: ${d.reason}`;
  return [
    { key: "maintenanceWindowScheduled", note: when },
    { key: "stakeholdersNotified", note: "The console notifies the instance's stakeholders and channels when the run starts and when it ends." },
    plan,
  ];
}

/**
 * One pass of the auto-update worker over the fleet: for every instance that is not frozen and has
 * no active run, the newest release the channel policy lets it take automatically is started,
 * scheduled for the next window, or queued for approval, as the policy says. Creating the run goes
 * through `createUpgrade`, whose row lock and unique active-run index keep it to one run per
 * instance however many workers scan at once.
 */
export async function scanFleet(now: Date = new Date()): Promise<ScanOutcome[]> {
  const db = getDb();
  const releases = await db.release.findMany({ where: { type: "platform" } });
  const instances = await db.instance.findMany({
    where: { updateChannel: { not: "frozen" }, status: "active" },
    include: { activeRun: { select: { id: true, status: true } }, maintenanceWindows: true },
    orderBy: { name: "asc" },
  });
  // Every freeze that has not ended, read once per pass: the fleet's apply to every instance.
  const freezes = await db.freezePeriod.findMany({ where: { endsAt: { gt: now } } });
  const outcomes: ScanOutcome[] = [];
  for (const instance of instances) {
    const base = { instanceId: instance.id, instanceName: instance.name };
    if (instance.activeRun) {
      outcomes.push({ ...base, action: "none", targetVersion: null, upgradeId: instance.activeRun.id, reason: `An upgrade is already ${instance.activeRun.status.replace("_", " ")}.` });
      continue;
    }
    const badly = new Set((await db.upgradeRun.findMany({ where: { instanceId: instance.id, kind: "upgrade", status: { in: SETTLED_BADLY } }, select: { toVersion: true } })).map((r) => r.toVersion));
    const policyInstance = { version: instance.version, updateChannel: instance.updateChannel, pinnedVersion: instance.pinnedVersion, timezone: instance.timezone, windows: instance.maintenanceWindows, freezes: freezes.filter((f) => f.instanceId === null || f.instanceId === instance.id) };
    const candidates = releases
      .filter((r) => compareVersions(r.version, instance.version) > 0)
      .sort((a, b) => compareVersions(b.version, a.version))
      .map((release) => ({ release, decision: evaluatePolicy({ instance: policyInstance, release, releases, now, trigger: "auto" }) }))
      .filter((c): c is { release: typeof c.release; decision: Eligible } => c.decision.eligible && c.decision.when.kind !== "never")
      .filter((c) => !c.decision.path.some((v) => badly.has(v)));
    // Newest first; what the policy lets run without a person wins over what needs approval.
    const pick = candidates.find((c) => !c.decision.needsApproval) ?? candidates[0];
    if (!pick) {
      outcomes.push({ ...base, action: "none", targetVersion: null, upgradeId: null, reason: "No newer release that the policy lets this instance take automatically." });
      continue;
    }
    try {
      const created = await createUpgrade({
        actor: AUTO_UPDATE,
        instanceId: instance.id,
        input: { targetVersion: pick.release.version, rollbackPlan: standardRollbackPlan(instance.version, instance.autoRollback) },
        trigger: "auto_update",
        systemChecklist: systemChecklist(pick.decision, instance.timezone),
      });
      const action: ScanAction = created.status === "pending_approval" ? "queued_for_approval" : created.status === "scheduled" ? "scheduled" : "started";
      logInfo("auto-update", { instance: instance.name, action, target: pick.release.version, upgradeId: created.id });
      outcomes.push({ ...base, action, targetVersion: pick.release.version, upgradeId: created.id, reason: pick.decision.reason });
    } catch (e) {
      // Another worker (or a person) got there first, or the instance changed under us.
      if (!isAppError(e)) logError("auto-update request failed", e, { instance: instance.name });
      outcomes.push({ ...base, action: "none", targetVersion: pick.release.version, upgradeId: null, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return outcomes;
}
