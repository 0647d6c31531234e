import "server-only";
import type { Db } from "@/lib/db";

export type ChainHead = { seq: number; hash: string };

/**
 * The chain's checkpoint (audit_chain.head, which only moves forward and which the console's
 * role cannot write) and the chain's newest entry, read in one snapshot. The checkpoint being
 * ahead of the chain means its newest entries were deleted.
 */
export async function readChainHeads(db: Db): Promise<{ checkpoint: ChainHead | null; last: ChainHead | null }> {
  const [row] = await db.$queryRaw<{ headSeq: bigint | null; headHash: string | null; lastSeq: bigint | null; lastHash: string | null }[]>`
    SELECT h.seq AS "headSeq", h.hash AS "headHash", l.seq AS "lastSeq", l.hash AS "lastHash"
      FROM (SELECT 1) AS one
      LEFT JOIN audit_chain.head AS h ON true
      LEFT JOIN LATERAL (SELECT seq, hash FROM audit_logs WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1) AS l ON true`;
  const head = (seq: bigint | null | undefined, hash: string | null | undefined): ChainHead | null => (seq === null || seq === undefined || !hash ? null : { seq: Number(seq), hash });
  return { checkpoint: head(row?.headSeq, row?.headHash), last: head(row?.lastSeq, row?.lastHash) };
}
