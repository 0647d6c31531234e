import "server-only";
import { getDb } from "@/lib/db";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import type { UpgradeStatus } from "@/generated/prisma/enums";

/** How many runs are in one of these statuses (lists stop at a page; the dashboard counts them all). */
export async function countUpgrades(opts: { actor: Actor | null; status: UpgradeStatus[] }): Promise<number> {
  requirePermission(opts.actor, "upgrade:read");
  return getDb().upgradeRun.count({ where: { status: { in: opts.status } } });
}
