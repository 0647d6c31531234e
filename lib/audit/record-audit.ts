// Not server-only: the seed and other scripts write audit entries through it too.
import type { Tx } from "@/lib/db";
import { actorLabel, type Actor } from "@/lib/auth/actor";
import { entryHash, GENESIS_HASH } from "@/lib/audit/hash";

export type AuditInput = {
  action: string;
  resourceType: string;
  resourceId?: string | null;
  result?: "success" | "failure" | "denied";
  metadata?: Record<string, unknown>;
};

// Any fixed number works; it serialises writers so that the chain has no forks.
const AUDIT_CHAIN_LOCK = 727_001;

// Writes one entry inside the caller's transaction, so the entry commits with the change or not
// at all.
export async function recordAudit(tx: Tx, actor: Actor | null, input: AuditInput): Promise<{ id: bigint; hash: string }> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
  const last = await tx.auditLog.findFirst({ orderBy: { id: "desc" }, select: { hash: true } });
  const prevHash = last?.hash ?? GENESIS_HASH;
  const fields = {
    createdAt: new Date(),
    actorType: actor?.type ?? "anonymous",
    actorId: actor === null ? null : actor.type === "user" ? actor.userId : actor.type === "token" ? actor.tokenId : null,
    actorLabel: actor === null ? null : actorLabel(actor),
    action: input.action,
    resourceType: input.resourceType,
    resourceId: input.resourceId ?? null,
    result: input.result ?? "success",
    metadata: JSON.parse(JSON.stringify(input.metadata ?? {})) as Record<string, unknown>,
    ip: actor !== null && actor.type !== "system" ? (actor.ip ?? null) : null,
  } as const;
  const hash = entryHash(prevHash, fields);
  const row = await tx.auditLog.create({
    data: { ...fields, metadata: fields.metadata as object, prevHash, hash },
    select: { id: true, hash: true },
  });
  return row;
}
