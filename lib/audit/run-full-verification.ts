import "server-only";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { readChainHeads } from "@/lib/audit/chain-head";
import { findUnlinkedEntry, walkChain, type ChainFailure } from "@/lib/audit/chain-walk";
import { recordAudit } from "@/lib/audit/record-audit";
import { enqueueAuditVerification, QUEUES } from "@/lib/jobs/queue";
import { logInfo } from "@/lib/log";

// The worker's side of a full verification (lib/audit/verifications.ts). Whoever holds the row's
// lease walks the chain; a new claim bumps `lease_epoch`, and every write of the walk (progress,
// outcome) is conditional on the owner and epoch it claimed with, so an attempt that lost its
// lease (paused past it, partitioned) cannot overwrite its successor's progress or outcome. A
// claimant resumes from the progress stored by the one before, re-checking the entry reached.

const VERIFIER = { type: "system" as const, label: "audit verifier" };

type Lease = { id: string; owner: string; epoch: number };

type Claimed = Lease & { checked: number; throughSeq: bigint | null; throughHash: string | null };

async function claim(id: string, owner: string): Promise<Claimed | null> {
  const rows = await getDb().$queryRaw<{ epoch: number; checked: number; seq: bigint | null; hash: string | null }[]>`
    UPDATE audit_verifications
       SET status = 'running', lease_owner = ${owner}, lease_epoch = lease_epoch + 1, started_at = coalesce(started_at, now()),
           lease_expires_at = now() + make_interval(secs => ${getEnv().RUN_LEASE_SECONDS})
     WHERE id = ${id} AND kind = 'full' AND status IN ('queued', 'running') AND (lease_owner IS NULL OR lease_expires_at < now())
    RETURNING lease_epoch AS epoch, checked, through_seq AS seq, through_hash AS hash`;
  const r = rows[0];
  return r ? { id, owner, epoch: r.epoch, checked: r.checked, throughSeq: r.seq, throughHash: r.hash } : null;
}

/** Stores progress and renews the lease; false when the lease is no longer this attempt's. */
async function progress(lease: Lease, fields: { checked: number; total?: number; seq?: number; hash?: string }): Promise<boolean> {
  const n = await getDb().$executeRaw`
    UPDATE audit_verifications
       SET checked = ${fields.checked}, total = coalesce(${fields.total ?? null}::int, total),
           through_seq = coalesce(${fields.seq ?? null}::bigint, through_seq), through_hash = coalesce(${fields.hash ?? null}, through_hash),
           lease_expires_at = now() + make_interval(secs => ${getEnv().RUN_LEASE_SECONDS})
     WHERE id = ${lease.id} AND status = 'running' AND lease_owner = ${lease.owner} AND lease_epoch = ${lease.epoch}`;
  return n === 1;
}

/** The outcome, with its audit entry in the same transaction; nothing when the lease was lost. */
async function finish(lease: Lease, checked: number, failure: ChainFailure | null): Promise<boolean> {
  return getDb().$transaction(async (tx) => {
    const n = await tx.auditVerification.updateMany({
      where: { id: lease.id, status: "running", leaseOwner: lease.owner, leaseEpoch: lease.epoch },
      data: {
        status: failure ? "failed" : "passed",
        activeFull: null,
        checked,
        problem: failure?.problem ?? null,
        reason: failure?.reason ?? null,
        brokenAtId: failure?.brokenAtId ?? null,
        leaseOwner: null,
        leaseExpiresAt: null,
        finishedAt: new Date(),
      },
    });
    if (n.count !== 1) return false;
    await recordAudit(tx, VERIFIER, {
      action: failure ? "audit.verify.full.fail" : "audit.verify.full.pass",
      resourceType: "audit_chain",
      result: failure ? "failure" : "success",
      metadata: { verificationId: lease.id, checked, ...(failure ? { problem: failure.problem, reason: failure.reason, brokenAtId: failure.brokenAtId?.toString() ?? null } : {}) },
    });
    return true;
  });
}

/**
 * Walks the whole chain for verification `id`, storing progress after every page, and records the
 * outcome: passed (the entry reached becomes the checkpoint) or failed (with the problem). Returns
 * false when another attempt holds the verification or it is finished.
 */
export async function runFullVerification(id: string, owner: string): Promise<boolean> {
  const lease = await claim(id, owner);
  if (!lease) return false;
  const db = getDb();
  const { checkpoint: head } = await readChainHeads(db);
  if (!head) return finish(lease, lease.checked, { brokenAtId: null, problem: "no_checkpoint", reason: "the chain has no checkpoint (audit_chain.head)" });
  const from = lease.throughSeq !== null && lease.throughHash !== null ? { seq: Number(lease.throughSeq), hash: lease.throughHash } : null;
  const before = from ? lease.checked : 0;
  if (!(await progress(lease, { checked: before, total: head.seq }))) return false;
  let lost = false;
  const walk = await walkChain(db, {
    from,
    head,
    onPage: async (checked, reached) => {
      lost = !(await progress(lease, { checked: before + checked, seq: reached.seq, hash: reached.hash }));
      return !lost;
    },
  });
  if (lost) return false;
  const failure = walk.failure ?? (await findUnlinkedEntry(db));
  // The entry reached is stored as the checkpoint (through_seq/hash) with the outcome.
  if (!failure && !(await progress(lease, { checked: before + walk.checked, seq: walk.reached.seq, hash: walk.reached.hash }))) return false;
  const done = await finish(lease, before + walk.checked, failure);
  if (done) logInfo("full audit verification finished", { verificationId: id, checked: before + walk.checked, problem: failure?.problem ?? null });
  return done;
}

/**
 * Full verifications queued or running without a live attempt (their job was lost, or their
 * worker died and the lease lapsed), and no job waiting for them: queued again. The lease decides.
 */
export async function requeueStalledVerifications(): Promise<number> {
  const rows = await getDb().$queryRaw<{ id: string }[]>`
    SELECT v.id FROM audit_verifications v
     WHERE v.active_full AND (v.lease_owner IS NULL OR v.lease_expires_at < now()) AND v.created_at < now() - interval '10 seconds'
       AND NOT EXISTS (SELECT 1 FROM pgboss.job j WHERE j.name = ${QUEUES.auditVerify} AND j.state IN ('created', 'retry') AND j.data->>'verificationId' = v.id)`;
  for (const r of rows) await enqueueAuditVerification(r.id);
  return rows.length;
}
