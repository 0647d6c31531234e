import "server-only";
import { getDb, type Db } from "@/lib/db";
import { readChainHeads, type ChainHead } from "@/lib/audit/chain-head";
import { findUnlinkedEntry, walkChain, type ChainProblem } from "@/lib/audit/chain-walk";

export type { ChainProblem } from "@/lib/audit/chain-walk";

export type ChainVerdict =
  | { ok: true; checked: number; lastHash: string; checkpoint: ChainHead }
  | { ok: false; checked: number; brokenAtId: string | null; problem: ChainProblem; reason: string; checkpoint: ChainHead | null };

// Walks the whole chain from its start in one go, recomputing every hash, and checks that it
// reaches its checkpoint. The console verifies incrementally and runs this walk as a job
// (lib/audit/verifications.ts); the tests and the bench call it directly. `db` is for the
// migration test, which verifies a database of its own.
export async function verifyAuditChain(db: Db = getDb()): Promise<ChainVerdict> {
  // Read first: entries committed during the walk lie beyond it, and the links check them.
  const { checkpoint } = await readChainHeads(db);
  if (!checkpoint) return { ok: false, checked: 0, brokenAtId: null, problem: "no_checkpoint", reason: "the chain has no checkpoint (audit_chain.head)", checkpoint };
  const walk = await walkChain(db, { from: null, head: checkpoint });
  const failure = walk.failure ?? (await findUnlinkedEntry(db));
  if (failure) return { ok: false, checked: walk.checked, brokenAtId: failure.brokenAtId?.toString() ?? null, problem: failure.problem, reason: failure.reason, checkpoint };
  return { ok: true, checked: walk.checked, lastHash: walk.reached.hash, checkpoint };
}
