import "server-only";
import { getDb } from "@/lib/db";
import { actorLabel, actorUserId, requirePermission, type Actor } from "@/lib/auth/actor";
import { readChainHeads, type ChainHead } from "@/lib/audit/chain-head";
import { findUnlinkedEntry, walkChain, type ChainProblem } from "@/lib/audit/chain-walk";
import { readVerifiedCheckpoint, verificationView, type Checkpoint, type VerificationView } from "@/lib/audit/verifications";

// At most this many new entries per request (about a second's work); the next request, or a full
// verification, goes on from where this one stopped.
export const INCREMENTAL_LIMIT = 20_000;

type Common = {
  mode: "incremental";
  checked: number;
  /** The checkpoint this verification started from; null: the chain's start. */
  from: Checkpoint | null;
  /** The chain's own checkpoint (audit_chain.head), read before the walk. */
  checkpoint: ChainHead | null;
  lastFull: VerificationView | null;
};

export type IncrementalVerdict =
  | (Common & { ok: true; lastSeq: number; lastHash: string; complete: boolean; remaining: number })
  | (Common & { ok: false; brokenAtId: string | null; problem: ChainProblem; reason: string });

/**
 * `GET /api/superadmin/audit-logs/verify`: verifies the entries written since the last
 * verification, and the entry it ended at; when they are intact it records the new checkpoint
 * (bookkeeping, not audited: an audit entry per check would itself be a new entry to verify).
 * Nothing before the checkpoint is read; a full verification covers that.
 */
export async function verifyAuditChainIncremental(opts: { actor: Actor | null; limit?: number }): Promise<IncrementalVerdict> {
  requirePermission(opts.actor, "audit:verify");
  const db = getDb();
  const startedAt = new Date();
  const [heads, from, lastFullRow] = await Promise.all([
    readChainHeads(db),
    readVerifiedCheckpoint(db),
    db.auditVerification.findFirst({ where: { kind: "full" }, orderBy: { createdAt: "desc" } }),
  ]);
  const { checkpoint } = heads;
  const common = { mode: "incremental" as const, from, checkpoint, lastFull: lastFullRow ? verificationView(lastFullRow) : null };
  if (!checkpoint) return { ...common, ok: false, checked: 0, brokenAtId: null, problem: "no_checkpoint", reason: "the chain has no checkpoint (audit_chain.head)" };
  const walk = await walkChain(db, { from, head: checkpoint, limit: opts.limit ?? INCREMENTAL_LIMIT });
  const failure = walk.failure ?? (await findUnlinkedEntry(db));
  if (failure) return { ...common, ok: false, checked: walk.checked, brokenAtId: failure.brokenAtId?.toString() ?? null, problem: failure.problem, reason: failure.reason };
  if (walk.checked > 0) {
    await db.auditVerification.create({
      data: {
        kind: "incremental",
        status: "passed",
        fromSeq: BigInt(from?.seq ?? 0),
        throughSeq: BigInt(walk.reached.seq),
        throughHash: walk.reached.hash,
        checked: walk.checked,
        total: walk.checked,
        requestedById: actorUserId(opts.actor),
        requestedBy: actorLabel(opts.actor),
        startedAt,
        finishedAt: new Date(),
      },
    });
  }
  const remaining = checkpoint.seq - walk.reached.seq;
  return { ...common, ok: true, checked: walk.checked, lastSeq: walk.reached.seq, lastHash: walk.reached.hash, complete: remaining === 0, remaining };
}
