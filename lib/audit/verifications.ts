import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { getDb, type Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { actorLabel, actorUserId, requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import { enqueueAuditVerification } from "@/lib/jobs/queue";
import type { ChainHead } from "@/lib/audit/chain-head";

// Verifications of the audit chain (table audit_verifications). A passed verification is a
// checkpoint: every entry up to `throughSeq` was intact when it ran, and the next verification
// starts there, re-checking that one entry and walking only the newer ones. Changes behind a
// checkpoint are therefore found only by a full verification, which walks from the chain's start
// as a worker job (lib/audit/run-full-verification.ts). A failed full verification voids every
// checkpoint before it, so later verifications start from the chain's start again.

export type Checkpoint = ChainHead & { kind: "incremental" | "full"; verifiedAt: string };

export type VerificationView = {
  id: string;
  kind: "incremental" | "full";
  status: "queued" | "running" | "passed" | "failed";
  requestedBy: string | null;
  checked: number;
  total: number | null;
  throughSeq: number | null;
  problem: string | null;
  reason: string | null;
  brokenAtId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

type Row = Awaited<ReturnType<Db["auditVerification"]["findFirstOrThrow"]>>;

export function verificationView(v: Row): VerificationView {
  return {
    id: v.id,
    kind: v.kind,
    status: v.status,
    requestedBy: v.requestedBy,
    checked: v.checked,
    total: v.total,
    throughSeq: v.throughSeq === null ? null : Number(v.throughSeq),
    problem: v.problem,
    reason: v.reason,
    brokenAtId: v.brokenAtId?.toString() ?? null,
    createdAt: v.createdAt.toISOString(),
    startedAt: v.startedAt?.toISOString() ?? null,
    finishedAt: v.finishedAt?.toISOString() ?? null,
  };
}

/** The newest checkpoint that no failed full verification came after, or null. */
export async function readVerifiedCheckpoint(db: Db = getDb()): Promise<Checkpoint | null> {
  const [row] = await db.$queryRaw<{ seq: bigint; hash: string; kind: "incremental" | "full"; at: Date }[]>`
    SELECT through_seq AS seq, through_hash AS hash, kind::text AS kind, finished_at AS at
      FROM audit_verifications
     WHERE status = 'passed' AND through_seq IS NOT NULL AND through_hash IS NOT NULL
       AND finished_at > coalesce((SELECT max(finished_at) FROM audit_verifications WHERE kind = 'full' AND status = 'failed'), '-infinity')
     ORDER BY through_seq DESC, finished_at DESC LIMIT 1`;
  return row ? { seq: Number(row.seq), hash: row.hash, kind: row.kind, verifiedAt: row.at.toISOString() } : null;
}

/** The newest full verification (running, or the last one that finished), or null. */
export async function getLatestFullVerification(opts: { actor: Actor | null }): Promise<VerificationView | null> {
  requirePermission(opts.actor, "audit:verify");
  const row = await getDb().auditVerification.findFirst({ where: { kind: "full" }, orderBy: { createdAt: "desc" } });
  return row ? verificationView(row) : null;
}

/**
 * `POST /api/superadmin/audit-logs/verify/full`: queues a full verification, audited in the same
 * transaction, unless one is queued or running already: then that one is returned.
 */
export async function requestFullVerification(opts: { actor: Actor | null }): Promise<{ started: boolean; verification: VerificationView }> {
  requirePermission(opts.actor, "audit:verify-full");
  const actor = opts.actor;
  const db = getDb();
  const active = () => db.auditVerification.findFirst({ where: { activeFull: true } });
  const running = await active();
  if (running) return { started: false, verification: verificationView(running) };
  try {
    const row = await db.$transaction(async (tx) => {
      const created = await tx.auditVerification.create({
        data: { kind: "full", status: "queued", activeFull: true, requestedById: actorUserId(actor), requestedBy: actorLabel(actor) },
      });
      await recordAudit(tx, actor, { action: "audit.verify.full.request", resourceType: "audit_chain", metadata: { verificationId: created.id } });
      await enqueueAuditVerification(created.id, tx);
      return created;
    });
    return { started: true, verification: verificationView(row) };
  } catch (e) {
    // Another request queued one in between: that one is the answer.
    if (!(e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002")) throw e;
    const other = await active();
    if (!other) throw new AppError("conflict", "A full verification was being queued at the same time; ask again.");
    return { started: false, verification: verificationView(other) };
  }
}
