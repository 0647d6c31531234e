import "server-only";
import type { z } from "zod";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { actorUserId, requirePermission, type Actor } from "@/lib/auth/actor";
import { generateApiToken } from "@/lib/auth/tokens";
import { recordAudit } from "@/lib/audit/record-audit";
import type { createTokenSchema, revokeTokenSchema } from "@/lib/users/schemas";

export type ApiTokenDto = { id: string; name: string; prefix: string; owner: string; createdAt: string; lastUsedAt: string | null; expiresAt: string | null; revokedAt: string | null };

export async function listApiTokens(opts: { actor: Actor | null }): Promise<ApiTokenDto[]> {
  requirePermission(opts.actor, "token:manage");
  const rows = await getDb().apiToken.findMany({ include: { user: { select: { email: true } } }, orderBy: { createdAt: "desc" } });
  return rows.map((t) => ({
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    owner: t.user.email,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    expiresAt: t.expiresAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  }));
}

// The token acts with its owner's role. It is returned once; only its sha256 is kept.
export async function createApiToken(opts: {
  actor: Actor | null;
  input: z.infer<typeof createTokenSchema>;
  ownerUserId?: string;
}): Promise<{ id: string; token: string }> {
  requirePermission(opts.actor, "token:manage");
  const ownerId = opts.ownerUserId ?? actorUserId(opts.actor);
  if (!ownerId) throw new AppError("bad_request", "A token needs an owning user.");
  const { token, hash, prefix } = generateApiToken();
  const expiresAt = opts.input.expiresInDays ? new Date(Date.now() + opts.input.expiresInDays * 86_400_000) : null;
  return getDb().$transaction(async (tx) => {
    const owner = await tx.user.findUnique({ where: { id: ownerId } });
    if (!owner || owner.disabledAt) throw new AppError("not_found", "The token's owner does not exist or is disabled.");
    const row = await tx.apiToken.create({ data: { userId: ownerId, name: opts.input.name, tokenHash: hash, prefix, expiresAt }, select: { id: true } });
    await recordAudit(tx, opts.actor, { action: "api_token.create", resourceType: "api_token", resourceId: row.id, metadata: { name: opts.input.name, owner: owner.email, prefix, expiresAt: expiresAt?.toISOString() ?? null } });
    return { id: row.id, token };
  });
}

export async function revokeApiToken(opts: { actor: Actor | null; input: z.infer<typeof revokeTokenSchema> }): Promise<void> {
  requirePermission(opts.actor, "token:manage");
  await getDb().$transaction(async (tx) => {
    const updated = await tx.apiToken.updateManyAndReturn({ where: { id: opts.input.tokenId, revokedAt: null }, data: { revokedAt: new Date() } });
    const row = updated[0];
    if (!row) {
      const exists = await tx.apiToken.findUnique({ where: { id: opts.input.tokenId } });
      if (!exists) throw new AppError("not_found", "No such token.");
      throw new AppError("conflict", "The token is already revoked.");
    }
    await recordAudit(tx, opts.actor, { action: "api_token.revoke", resourceType: "api_token", resourceId: row.id, metadata: { name: row.name, prefix: row.prefix } });
  });
}
