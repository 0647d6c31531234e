import "server-only";
import { getDb } from "@/lib/db";
import { entryHash, GENESIS_HASH } from "@/lib/audit/hash";

export type ChainVerdict =
  | { ok: true; checked: number; lastHash: string }
  | { ok: false; checked: number; brokenAtId: string; reason: string };

const PAGE = 1000;

// Walks the whole chain in id order, recomputing every hash.
export async function verifyAuditChain(): Promise<ChainVerdict> {
  const db = getDb();
  let prevHash = GENESIS_HASH;
  let checked = 0;
  let cursor: bigint | undefined;
  for (;;) {
    const rows = await db.auditLog.findMany({
      where: cursor === undefined ? {} : { id: { gt: cursor } },
      orderBy: { id: "asc" },
      take: PAGE,
    });
    for (const row of rows) {
      if (row.prevHash !== prevHash) {
        return { ok: false, checked, brokenAtId: row.id.toString(), reason: "the entry does not link to the one before it" };
      }
      const expected = entryHash(prevHash, row);
      if (expected !== row.hash) {
        return { ok: false, checked, brokenAtId: row.id.toString(), reason: "the entry's content does not match its hash" };
      }
      prevHash = row.hash;
      checked += 1;
    }
    if (rows.length < PAGE) break;
    cursor = rows[rows.length - 1]?.id;
  }
  return { ok: true, checked, lastHash: prevHash };
}
