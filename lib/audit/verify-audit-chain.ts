import "server-only";
import { getDb, type Db } from "@/lib/db";
import { entryHash, entryHashV2, GENESIS_HASH, type HashedFieldsV2 } from "@/lib/audit/hash";
import { readChainHeads, type ChainHead } from "@/lib/audit/chain-head";

export type ChainProblem = "sequence_gap" | "link_broken" | "hash_mismatch" | "unlinked_entry" | "tail_truncated" | "head_mismatch" | "no_checkpoint";

export type ChainVerdict =
  | { ok: true; checked: number; lastHash: string; checkpoint: ChainHead }
  | { ok: false; checked: number; brokenAtId: string | null; problem: ChainProblem; reason: string; checkpoint: ChainHead | null };

type ChainRow = HashedFieldsV2 & { id: bigint; prevHash: string; hash: string; hashVersion: number };

const PAGE = 1000;

// The hash an entry should have, by the version it was written with (lib/audit/hash.ts).
function expectedHash(row: ChainRow): string | null {
  switch (row.hashVersion) {
    case 1:
      return entryHash(row.prevHash, { ...row, metadata: JSON.parse(row.metadataText) as unknown });
    case 2:
      return entryHashV2(row.prevHash, row);
    default:
      return null;
  }
}

async function readChainPage(db: Db, afterSeq: bigint): Promise<ChainRow[]> {
  // Raw, for the stored jsonb's own text, which version 2 hashes.
  return db.$queryRaw<ChainRow[]>`
    SELECT id, seq, created_at AS "createdAt", actor_type::text AS "actorType", actor_id AS "actorId",
           actor_label AS "actorLabel", action, resource_type AS "resourceType", resource_id AS "resourceId",
           result::text AS result, metadata::text AS "metadataText", ip, prev_hash AS "prevHash", hash,
           hash_version::int AS "hashVersion"
      FROM audit_logs WHERE seq > ${afterSeq} ORDER BY seq LIMIT ${PAGE}`;
}

// Walks the whole chain in chain order (seq, which is commit order), recomputing every hash, and
// checks that the chain reaches its checkpoint. `db` is for the migration test, which verifies a
// database of its own.
export async function verifyAuditChain(db: Db = getDb()): Promise<ChainVerdict> {
  // Read first: entries committed during the walk lie beyond it, and the links check them.
  const { checkpoint } = await readChainHeads(db);
  let prevHash = GENESIS_HASH;
  let prevSeq = 0n;
  let prevId: bigint | null = null;
  let checked = 0;
  const fail = (brokenAtId: bigint | null, problem: ChainProblem, reason: string): ChainVerdict => ({ ok: false, checked, brokenAtId: brokenAtId?.toString() ?? null, problem, reason, checkpoint });
  if (!checkpoint) return fail(null, "no_checkpoint", "the chain has no checkpoint (audit_chain.head)");
  let hashAtCheckpoint = checkpoint.seq === 0 ? GENESIS_HASH : null;
  for (;;) {
    const rows = await readChainPage(db, prevSeq);
    for (const row of rows) {
      if (row.seq !== prevSeq + 1n) return fail(row.id, "sequence_gap", "entries before this one are missing (its sequence number does not follow the one before it)");
      if (row.prevHash !== prevHash) return fail(row.id, "link_broken", "the entry does not link to the one before it");
      if (expectedHash(row) !== row.hash) return fail(row.id, "hash_mismatch", "the entry's content does not match its hash");
      if (row.seq === BigInt(checkpoint.seq)) hashAtCheckpoint = row.hash;
      prevHash = row.hash;
      prevSeq = row.seq;
      prevId = row.id;
      checked += 1;
    }
    if (rows.length < PAGE) break;
  }
  if (prevSeq < BigInt(checkpoint.seq)) {
    return fail(prevId, "tail_truncated", `the newest entries are missing: the chain ends at ${prevSeq.toString()}, its checkpoint is at ${checkpoint.seq}`);
  }
  if (hashAtCheckpoint !== checkpoint.hash) return fail(null, "head_mismatch", "the entry at the checkpoint does not have the checkpoint's hash");
  // Committed entries are always linked; an unlinked one was written behind the triggers' back.
  const unlinked = await db.auditLog.findFirst({ where: { seq: null }, orderBy: { id: "asc" }, select: { id: true } });
  if (unlinked) return fail(unlinked.id, "unlinked_entry", "the entry is not linked into the chain");
  return { ok: true, checked, lastHash: prevHash, checkpoint };
}
