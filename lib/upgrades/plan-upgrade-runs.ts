import "server-only";
import { randomUUID } from "node:crypto";
import { actorUserId, type Actor } from "@/lib/auth/actor";
import type { AuditInput } from "@/lib/audit/record-audit";
import type { PolicyDecision } from "@/lib/channels/policy";
import type { NewRun } from "@/lib/upgrades/create-runs";
import type { CreateUpgradeInput } from "@/lib/upgrades/schemas";
import type { ChecklistKey, UpgradeStatus } from "@/generated/prisma/enums";

export type EligibleDecision = Extract<PolicyDecision, { eligible: true }>;

export type UpgradeRequest = {
  actor: Actor;
  instanceId: string;
  input: CreateUpgradeInput;
  trigger?: "manual" | "api" | "auto_update";
  /** Checklist items the console itself vouches for (the auto-update scan), with why. */
  systemChecklist?: { key: ChecklistKey; note: string }[];
};

export type PlannedUpgrade = {
  runs: NewRun[];
  firstStatus: UpgradeStatus;
  startAt: Date | null;
  /** The audit entries of the request, once the head run's id is known. */
  audits: (upgradeId: string) => AuditInput[];
};

/**
 * What an upgrade request writes, once the policy said yes: one run per hop of the path (the
 * first active, later ones waiting their turn), with its status and start time, and its audit
 * entries. `createUpgrade` writes one request; the auto-update scan writes a batch of them
 * (lib/auto-update/create-auto-upgrades.ts).
 */
export function planUpgradeRuns(req: UpgradeRequest, instanceVersion: string, decision: EligibleDecision, now: Date): PlannedUpgrade {
  const { actor, instanceId, input } = req;
  const userId = actorUserId(actor);
  // The later of the policy's earliest moment and the one asked for.
  const asked = input.scheduledFor ? new Date(input.scheduledFor) : null;
  const policyAt = decision.when.kind === "window" ? decision.when.at : null;
  const startAt = [asked, policyAt].filter((d): d is Date => d !== null && d.getTime() > now.getTime()).sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
  const firstStatus: UpgradeStatus = decision.needsApproval ? "pending_approval" : startAt ? "scheduled" : "running";
  const planId = decision.path.length > 1 ? randomUUID() : null;
  const manual = Object.entries(input.checklist ?? {})
    .filter(([, v]) => v)
    .map(([key]) => ({ key, checkedById: userId }))
    .concat((req.systemChecklist ?? []).map((c) => ({ key: c.key, checkedById: null, bySystem: true, note: c.note })));
  let from = instanceVersion;
  const runs = decision.path.map((version, i): NewRun => {
    const run: NewRun = {
      instanceId,
      kind: "upgrade",
      fromVersion: from,
      toVersion: version,
      // Later hops wait for the one before; they become active in turn.
      status: i === 0 ? firstStatus : "scheduled",
      trigger: req.trigger ?? (actor.type === "token" ? "api" : "manual"),
      active: i === 0,
      requestedById: userId,
      requestedByTokenId: actor.type === "token" ? actor.tokenId : null,
      rollbackPlan: input.rollbackPlan ?? null,
      urgent: decision.urgent,
      policyReason: decision.reason,
      planId,
      hopIndex: i,
      checklist: manual,
      checklistOverride: input.checklistOverride ? { reason: input.checklistOverride.reason, byId: userId } : null,
      scheduledFor: i === 0 ? startAt : null,
    };
    from = version;
    return run;
  });
  const audits = (upgradeId: string): AuditInput[] => [
    {
      action: "instance.upgrade.request",
      resourceType: "instance",
      resourceId: instanceId,
      metadata: { upgradeId, from: instanceVersion, to: input.targetVersion, path: decision.path, status: firstStatus, policy: decision.reason, scheduledFor: startAt?.toISOString() ?? null, ...(input.checklistOverride ? { checklistOverride: input.checklistOverride.reason } : {}) },
    },
    ...(decision.overrideUsed && input.securityOverride
      ? [{ action: "instance.upgrade.security_override", resourceType: "instance", resourceId: instanceId, metadata: { upgradeId, release: input.targetVersion, reason: input.securityOverride.reason } }]
      : []),
  ];
  return { runs, firstStatus, startAt, audits };
}
