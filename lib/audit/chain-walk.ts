import "server-only";
import type { Db } from "@/lib/db";
import { entryHash, entryHashV2, GENESIS_HASH, type HashedFieldsV2 } from "@/lib/audit/hash";
import type { ChainHead } from "@/lib/audit/chain-head";

export type ChainProblem =
  | "sequence_gap"
  | "link_broken"
  | "hash_mismatch"
  | "unlinked_entry"
  | "tail_truncated"
  | "head_mismatch"
  | "no_checkpoint"
  // The entry a verification ended at no longer has the hash it had then (lib/audit/verifications.ts).
  | "verified_entry_changed";

export type ChainFailure = { brokenAtId: bigint | null; problem: ChainProblem; reason: string };

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

// Raw, for the stored jsonb's own text, which version 2 hashes. `fromSeq` is inclusive.
async function readChainPage(db: Db, fromSeq: bigint, throughSeq: bigint, limit: number): Promise<ChainRow[]> {
  return db.$queryRaw<ChainRow[]>`
    SELECT id, seq, created_at AS "createdAt", actor_type::text AS "actorType", actor_id AS "actorId",
           actor_label AS "actorLabel", action, resource_type AS "resourceType", resource_id AS "resourceId",
           result::text AS result, metadata::text AS "metadataText", ip, prev_hash AS "prevHash", hash,
           hash_version::int AS "hashVersion"
      FROM audit_logs WHERE seq >= ${fromSeq} AND seq <= ${throughSeq} ORDER BY seq LIMIT ${limit}`;
}

export type WalkResult = {
  /** Entries checked, the starting entry not counted. */
  checked: number;
  /** The last entry found intact: the start when nothing after it was checked. */
  reached: ChainHead;
  reachedId: bigint | null;
  failure: ChainFailure | null;
};

export type WalkOptions = {
  /** An entry verified before, or null for the chain's start. It is checked again itself. */
  from: ChainHead | null;
  /** The chain's checkpoint (audit_chain.head), read before the walk: the walk ends there. */
  head: ChainHead;
  /** Stop after this many entries (the walk then has not reached the head). */
  limit?: number;
  /** After each page, with the entries checked so far and the last one; false stops the walk. */
  onPage?: (checked: number, reached: ChainHead) => Promise<boolean>;
};

/**
 * Walks the chain in chain order (seq, which is commit order) from `from` to the head, recomputing
 * every hash and link. The entry at `from` is read again and must still have the hash it was
 * verified with and match its own content, so rewriting it (or deleting it) is caught too. Entries
 * before `from` are not read: only a walk from the start finds changes there.
 */
export async function walkChain(db: Db, opts: WalkOptions): Promise<WalkResult> {
  const { head } = opts;
  const start = opts.from ?? { seq: 0, hash: GENESIS_HASH };
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  let prevHash = start.hash;
  let prevSeq = BigInt(start.seq);
  let prevId: bigint | null = null;
  let checked = 0;
  const result = (failure: ChainFailure | null): WalkResult => ({ checked, reached: { seq: Number(prevSeq), hash: prevHash }, reachedId: prevId, failure });
  const fail = (id: bigint | null, problem: ChainProblem, reason: string) => result({ brokenAtId: id, problem, reason });
  if (start.seq > head.seq) return fail(null, "head_mismatch", `the chain's checkpoint (entry ${head.seq}) is behind entry ${start.seq}, which was verified before: it was moved back`);

  let next = prevSeq + 1n;
  if (start.seq > 0) {
    const [row] = await readChainPage(db, prevSeq, prevSeq, 1);
    if (!row) {
      const [later] = await readChainPage(db, prevSeq + 1n, BigInt(head.seq), 1);
      if (later) return fail(later.id, "sequence_gap", `entry ${start.seq}, verified before, is missing`);
      return fail(null, "tail_truncated", `the newest entries are missing: the chain's checkpoint is at ${head.seq}, and entry ${start.seq}, verified before, is gone`);
    }
    if (row.hash !== start.hash) return fail(row.id, "verified_entry_changed", "the entry no longer has the hash it had when it was verified");
    if (expectedHash(row) !== row.hash) return fail(row.id, "hash_mismatch", "the entry's content does not match its hash");
    prevId = row.id;
  }
  const last = BigInt(head.seq);
  while (next <= last && checked < limit) {
    const rows = await readChainPage(db, next, last, Math.min(PAGE, limit - checked));
    for (const row of rows) {
      if (row.seq !== prevSeq + 1n) return fail(row.id, "sequence_gap", "entries before this one are missing (its sequence number does not follow the one before it)");
      if (row.prevHash !== prevHash) return fail(row.id, "link_broken", "the entry does not link to the one before it");
      if (expectedHash(row) !== row.hash) return fail(row.id, "hash_mismatch", "the entry's content does not match its hash");
      prevHash = row.hash;
      prevSeq = row.seq;
      prevId = row.id;
      checked += 1;
    }
    if (rows.length === 0) break;
    next = prevSeq + 1n;
    if (opts.onPage && !(await opts.onPage(checked, { seq: Number(prevSeq), hash: prevHash }))) return result(null);
  }
  if (checked >= limit && prevSeq < last) return result(null);
  if (prevSeq < last) return fail(prevId, "tail_truncated", `the newest entries are missing: the chain ends at ${prevSeq.toString()}, its checkpoint is at ${head.seq}`);
  if (prevHash !== head.hash) return fail(null, "head_mismatch", "the entry at the checkpoint does not have the checkpoint's hash");
  return result(null);
}

/**
 * Committed entries are always linked; an unlinked one was written behind the triggers' back. One
 * probe of the unique index on seq, which holds the NULLs too (ordering by id would scan the table).
 */
export async function findUnlinkedEntry(db: Db): Promise<ChainFailure | null> {
  const [row] = await db.$queryRaw<{ id: bigint }[]>`SELECT id FROM audit_logs WHERE seq IS NULL LIMIT 1`;
  return row ? { brokenAtId: row.id, problem: "unlinked_entry", reason: "the entry is not linked into the chain" } : null;
}
