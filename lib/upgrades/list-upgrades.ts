import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import type { UpgradeStatus } from "@/generated/prisma/enums";
import type { Prisma } from "@/generated/prisma/client";

export type UpgradeSummary = {
  id: string;
  instanceId: string;
  instanceName: string;
  kind: string;
  fromVersion: string;
  toVersion: string;
  status: UpgradeStatus;
  trigger: string;
  requestedBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

export type UpgradeDetail = UpgradeSummary & {
  steps: { key: string; title: string; status: string; startedAt: string | null; finishedAt: string | null; expectedSeconds: number; error: string | null; hint: string | null }[];
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
  const r = await getDb().upgradeRun.findUnique({ where: { id: opts.id }, include: { ...include, steps: { orderBy: { position: "asc" } } } });
  if (!r) throw new AppError("not_found", `No upgrade with id ${opts.id}.`);
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
    })),
  };
}
