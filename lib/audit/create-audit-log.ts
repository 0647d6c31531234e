import "server-only";
import { getDb } from "@/lib/db";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import type { AuditCreate } from "@/lib/audit/schemas";

// The runbook's `POST /api/superadmin/audit-logs`: an operator or script records an event the
// console did not see itself (a manual rollback step, say). The submitter is kept as the actor.
export async function createAuditLog(opts: { actor: Actor | null; input: AuditCreate }) {
  requirePermission(opts.actor, "audit:write");
  const actor = opts.actor;
  const db = getDb();
  const { id } = await db.$transaction((tx) =>
    recordAudit(tx, actor, {
      action: opts.input.action,
      resourceType: opts.input.resource.type,
      resourceId: opts.input.resource.id,
      result: opts.input.result,
      metadata: { ...opts.input.metadata, recordedVia: "api" },
    }),
  );
  // The entry is linked into the chain at commit, so its hash is read back afterwards.
  const row = await db.auditLog.findUniqueOrThrow({ where: { id }, select: { hash: true } });
  return { id: id.toString(), hash: row.hash };
}
