// Not server-only: the seed and other scripts write audit entries through it too.
import type { Tx } from "@/lib/db";
import { actorLabel, type Actor } from "@/lib/auth/actor";
import type { AuditLogCreateManyInput } from "@/generated/prisma/models";

export type AuditInput = {
  action: string;
  resourceType: string;
  resourceId?: string | null;
  result?: "success" | "failure" | "denied";
  metadata?: Record<string, unknown>;
};

// Writes one entry inside the caller's transaction, so the entry commits with the change or not
// at all. It takes no lock: the database links the entry into the hash chain when the
// transaction commits (seq, prevHash and hash are set then; docs/architecture.md, "Audit log"),
// so a long transaction does not hold up other writers. The id is known now; the hash only once
// the transaction has committed.
export async function recordAudit(tx: Tx, actor: Actor | null, input: AuditInput): Promise<{ id: bigint }> {
  return tx.auditLog.create({ data: auditRow(actor, input), select: { id: true } });
}

/** Several entries by one actor in one INSERT; each is linked into the chain at COMMIT like any other. */
export async function recordAudits(tx: Tx, actor: Actor | null, inputs: AuditInput[]): Promise<void> {
  if (inputs.length) await tx.auditLog.createMany({ data: inputs.map((i) => auditRow(actor, i)) });
}

function auditRow(actor: Actor | null, input: AuditInput): AuditLogCreateManyInput {
  return {
    createdAt: new Date(),
    actorType: actor?.type ?? "anonymous",
    actorId: actor === null ? null : actor.type === "user" ? actor.userId : actor.type === "token" ? actor.tokenId : null,
    actorLabel: actor === null ? null : actorLabel(actor),
    action: input.action,
    resourceType: input.resourceType,
    resourceId: input.resourceId ?? null,
    result: input.result ?? "success",
    // A JSON round trip, so the stored value is what the hash is computed over.
    metadata: JSON.parse(JSON.stringify(input.metadata ?? {})) as object,
    ip: actor !== null && actor.type !== "system" ? (actor.ip ?? null) : null,
    // Placeholders: a trigger marks the entry pending and links it at COMMIT.
    prevHash: "",
    hash: "",
  };
}
