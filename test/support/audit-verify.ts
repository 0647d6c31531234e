import { getDb } from "@/lib/db";
import { runFullVerification } from "@/lib/audit/run-full-verification";

/**
 * Runs to its end a full audit verification left queued or running (the role matrix queues one,
 * and no worker runs during most files), so a test starts with none active.
 */
export async function drainFullVerification(): Promise<void> {
  const active = await getDb().auditVerification.findFirst({ where: { activeFull: true } });
  if (!active) return;
  await getDb().auditVerification.update({ where: { id: active.id }, data: { leaseOwner: null } });
  await runFullVerification(active.id, "test-drain");
}
