import "server-only";
import type { WindowAnswers } from "@/lib/channels/window-cache";
import type { EligibleDecision, UpgradeRequest } from "@/lib/upgrades/plan-upgrade-runs";
import type { ChecklistKey } from "@/generated/prisma/enums";

export const AUTO_UPDATE = { type: "system" as const, label: "auto-update" };

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

function systemChecklist(d: EligibleDecision, timezone: string, windows: WindowAnswers): { key: ChecklistKey; note: string }[] {
  const plan = { key: "rollbackPlanPrepared" as const, note: "The standard rollback plan of automatic upgrades is attached to the run." };
  // An approver decides the rest: the console only vouches for what it wrote itself.
  if (d.needsApproval) return [plan];
  const when =
    d.when.kind === "window"
      ? `Scheduled by the auto-update policy for the maintenance window at ${windows.formatLocal(d.when.at, timezone)}.`
      : `The auto-update policy runs it now: ${d.reason}`;
  return [
    { key: "maintenanceWindowScheduled", note: when },
    { key: "stakeholdersNotified", note: "The console notifies the instance's stakeholders and channels when the run starts and when it ends." },
    plan,
  ];
}

/** The request the auto-update scan makes for an instance, as the policy decided it. */
export function autoRequest(instance: { id: string; version: string; autoRollback: boolean; timezone: string }, targetVersion: string, decision: EligibleDecision, windows: WindowAnswers): UpgradeRequest {
  return {
    actor: AUTO_UPDATE,
    instanceId: instance.id,
    input: { targetVersion, rollbackPlan: standardRollbackPlan(instance.version, instance.autoRollback) },
    trigger: "auto_update",
    systemChecklist: systemChecklist(decision, instance.timezone, windows),
  };
}
