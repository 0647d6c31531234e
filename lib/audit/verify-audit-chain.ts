import "server-only";
import { getDb, type Db } from "@/lib/db";
import { entryHash, entryHashV2, GENESIS_HASH, type HashedFieldsV2 } from "@/lib/audit/hash";

export type ChainVerdict =
  | { ok: true; checked: number; lastHash: string }
  | { ok: false; checked: number; brokenAtId: string; reason: string };

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

// Walks the whole chain in chain order (seq, which is commit order), recomputing every hash.
// `db` is for the migration test, which verifies a database of its own.
export async function verifyAuditChain(db: Db = getDb()): Promise<ChainVerdict> {
  let prevHash = GENESIS_HASH;
  let prevSeq = 0n;
  let checked = 0;
  for (;;) {
    const rows = await readChainPage(db, prevSeq);
    for (const row of rows) {
      const broken = (reason: string): ChainVerdict => ({ ok: false, checked, brokenAtId: row.id.toString(), reason });
      if (row.seq !== prevSeq + 1n) return broken("the entry's sequence number does not follow the one before it");
      if (row.prevHash !== prevHash) return broken("the entry does not link to the one before it");
      if (expectedHash(row) !== row.hash) return broken("the entry's content does not match its hash");
      prevHash = row.hash;
      prevSeq = row.seq;
      checked += 1;
    }
    if (rows.length < PAGE) break;
  }
  // Committed entries are always linked; an unlinked one was written behind the triggers' back.
  const unlinked = await db.auditLog.findFirst({ where: { seq: null }, orderBy: { id: "asc" }, select: { id: true } });
  if (unlinked) return { ok: false, checked, brokenAtId: unlinked.id.toString(), reason: "the entry is not linked into the chain" };
  return { ok: true, checked, lastHash: prevHash };
}
