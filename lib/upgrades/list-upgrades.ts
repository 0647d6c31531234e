import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import type { RunKind, UpgradeStatus } from "@/generated/prisma/enums";
import type { Prisma } from "@/generated/prisma/client";
import { toStatusPageLink, type StatusPageLink } from "@/lib/status-pages/status-pages";

export type UpgradeSummary = {
  id: string;
  instanceId: string;
  instanceName: string;
  kind: RunKind;
  fromVersion: string;
  toVersion: string;
  status: UpgradeStatus;
  trigger: string;
  requestedBy: string | null;
  /** A security patch awaiting approval or its window (manual-approval channel, auto-update). */
  urgent: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

export type UpgradeDetail = UpgradeSummary & {
  steps: { key: string; title: string; status: string; startedAt: string | null; finishedAt: string | null; expectedSeconds: number; error: string | null; hint: string | null; attempts: number }[];
  checklist: { key: string; checked: boolean; bySystem: boolean; checkedBy: string | null; checkedAt: string | null }[];
  checklistOverride: { reason: string; by: string | null; at: string } | null;
  approvals: { approver: string; decision: string; comment: string; at: string }[];
  requiredApprovals: number;
  rollbackPlan: string | null;
  policyReason: string | null;
  error: string | null;
  parentId: string | null;
  children: { id: string; kind: string; status: string }[];
  plan: { id: string; hopIndex: number; toVersion: string; status: string }[];
  monitoringUntil: string | null;
  scheduledFor: string | null;
  cancelRequested: boolean;
  /** The newest working status link (its token was shown once, when it was created). */
  statusPage: StatusPageLink | null;
};

const include = { instance: { select: { name: true } }, requestedBy: { select: { email: true } } } as const;

type RunRow = Prisma.UpgradeRunGetPayload<{ include: typeof include }>;

function toSummary(r: RunRow): UpgradeSummary {
  return {
    id: r.id,
    instanceId: r.instanceId,
    instanceName: r.instance.name,
    kind: r.kind,
    fromVersion: r.fromVersion,
    toVersion: r.toVersion,
    status: r.status,
    trigger: r.trigger,
    requestedBy: r.requestedBy?.email ?? null,
    urgent: r.urgent,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

export async function listUpgrades(opts: { actor: Actor | null; status?: UpgradeStatus[]; instanceId?: string; limit?: number }): Promise<UpgradeSummary[]> {
  requirePermission(opts.actor, "upgrade:read");
  const rows = await getDb().upgradeRun.findMany({
    where: { ...(opts.status ? { status: { in: opts.status } } : {}), ...(opts.instanceId ? { instanceId: opts.instanceId } : {}) },
    include,
    orderBy: { createdAt: "desc" },
    take: opts.limit ?? 100,
  });
  return rows.map(toSummary);
}

export async function getUpgrade(opts: { actor: Actor | null; id: string }): Promise<UpgradeDetail> {
  requirePermission(opts.actor, "upgrade:read");
  const db = getDb();
  const r = await db.upgradeRun.findUnique({
    where: { id: opts.id },
    include: {
      ...include,
      instance: { select: { name: true, requiredApprovals: true } },
      steps: { orderBy: { position: "asc" } },
      checklistItems: { include: { checkedBy: { select: { email: true } } } },
      checklistOverrideBy: { select: { email: true } },
      approvals: { include: { approver: { select: { email: true } } }, orderBy: { createdAt: "asc" } },
      childRuns: { select: { id: true, kind: true, status: true }, orderBy: { createdAt: "asc" } },
      statusPageTokens: { where: { revokedAt: null }, take: 1, orderBy: { createdAt: "desc" } },
    },
  });
  if (!r) throw new AppError("not_found", `No upgrade with id ${opts.id}.`);
  const plan = r.planId ? await db.upgradeRun.findMany({ where: { planId: r.planId }, orderBy: { hopIndex: "asc" }, select: { id: true, hopIndex: true, toVersion: true, status: true } }) : [];
  const order = ["backupCompleted", "maintenanceWindowScheduled", "stakeholdersNotified", "rollbackPlanPrepared", "compatibilityVerified", "dependenciesChecked"];
  return {
    ...toSummary(r),
    steps: r.steps.map((s) => ({
      key: s.key,
      title: s.title,
      status: s.status,
      startedAt: s.startedAt?.toISOString() ?? null,
      finishedAt: s.finishedAt?.toISOString() ?? null,
      expectedSeconds: s.expectedSeconds,
      error: s.error,
      hint: s.hint,
      attempts: s.attempts,
    })),
    checklist: [...r.checklistItems]
      .sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key))
      .map((c) => ({ key: c.key, checked: c.checked, bySystem: c.bySystem, checkedBy: c.bySystem ? "console" : (c.checkedBy?.email ?? null), checkedAt: c.checkedAt?.toISOString() ?? null })),
    checklistOverride: r.checklistOverrideAt ? { reason: r.checklistOverrideReason ?? "", by: r.checklistOverrideBy?.email ?? null, at: r.checklistOverrideAt.toISOString() } : null,
    approvals: r.approvals.map((a) => ({ approver: a.approver.email, decision: a.decision, comment: a.comment, at: a.createdAt.toISOString() })),
    requiredApprovals: r.instance.requiredApprovals,
    rollbackPlan: r.rollbackPlan,
    policyReason: r.policyReason,
    urgent: r.urgent,
    error: r.error,
    parentId: r.parentRunId,
    children: r.childRuns,
    plan,
    monitoringUntil: r.monitoringUntil?.toISOString() ?? null,
    scheduledFor: r.scheduledFor?.toISOString() ?? null,
    cancelRequested: r.cancelRequestedAt !== null,
    statusPage: r.statusPageTokens[0] ? toStatusPageLink(r.statusPageTokens[0]) : null,
  };
}
