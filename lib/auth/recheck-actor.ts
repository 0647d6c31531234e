import "server-only";
import { getDb } from "@/lib/db";
import { can, type Permission } from "@/lib/auth/permissions";
import type { Actor } from "@/lib/auth/actor";
import { isCurrentSession } from "@/lib/auth/sessions";
import type { StillAllowed } from "@/lib/events/shared-recheck";

/**
 * Whether `actor`, resolved when a long-lived response (an SSE stream) began, still stands now:
 * its API token neither revoked nor expired, its session not ended, its account not disabled, and its current role
 * still granting `permission`. A request is checked once; a stream asks this every few seconds.
 */
export async function isActorStillAllowed(actor: Actor, permission: Permission): Promise<boolean> {
  if (actor.type === "system") return true;
  const db = getDb();
  if (actor.type === "token") {
    const token = await db.apiToken.findUnique({ where: { id: actor.tokenId }, select: { revokedAt: true, expiresAt: true, user: { select: { disabledAt: true, role: true } } } });
    if (!token || token.revokedAt || token.user.disabledAt) return false;
    if (token.expiresAt && token.expiresAt.getTime() <= Date.now()) return false;
    return can(token.user.role, permission);
  }
  const user = await db.user.findUnique({ where: { id: actor.userId }, select: { disabledAt: true, role: true, sessionVersion: true } });
  if (!user || user.disabledAt) return false;
  // A session ended since the stream began (sign-out, password change): the stream ends with it.
  if (actor.sessionVersion !== undefined && !isCurrentSession(user, actor.sessionVersion)) return false;
  return can(user.role, permission);
}

/**
 * The re-check of a stream opened by `actor` for `permission`. The key holds exactly what the
 * answer depends on (the token, or the user and the session's version, and the permission), so
 * all the streams of one credential share one check (lib/events/shared-recheck.ts).
 */
export function actorStillAllowed(actor: Actor, permission: Permission): StillAllowed {
  const who = actor.type === "system" ? "system" : actor.type === "token" ? `token:${actor.tokenId}` : `user:${actor.userId}:${actor.sessionVersion ?? "-"}`;
  return { key: `actor:${who}:${permission}`, check: () => isActorStillAllowed(actor, permission) };
}
