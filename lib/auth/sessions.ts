import "server-only";
import { getDb } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record-audit";

// Sessions are JWTs, so there is nothing to delete on the server. Each carries the user's
// sessionVersion from when it began, and every request compares it with the row
// (lib/auth/resolve-actor.ts): bumping the number ends every session of that person at once.

/** Spread into a user update to end that user's sessions. */
export const END_SESSIONS = { sessionVersion: { increment: 1 } } as const;

/** A session's version still matches its user's: it has not been ended since it began. */
export function isCurrentSession(user: { sessionVersion: number }, tokenVersion: number | undefined): boolean {
  // Sessions from before versions existed carry none; they count as version 0.
  return user.sessionVersion === (tokenVersion ?? 0);
}

/**
 * Sign-out (next-auth's signOut event): ends the person's sessions, everywhere. Only a session
 * that is still current can do this, so a copied, already ended cookie cannot sign its person out
 * of a newer session.
 */
export async function endSessionsAtSignOut(opts: { userId: string | undefined; sessionVersion: number | undefined; ip: string | null }): Promise<void> {
  const { userId, ip } = opts;
  if (!userId) return;
  const sessionVersion = opts.sessionVersion ?? 0;
  await getDb().$transaction(async (tx) => {
    const ended = await tx.user.updateMany({ where: { id: userId, sessionVersion }, data: END_SESSIONS });
    if (ended.count === 0) return;
    const u = await tx.user.findUniqueOrThrow({ where: { id: userId } });
    await recordAudit(tx, { type: "user", userId: u.id, email: u.email, name: u.name, role: u.role, ip }, { action: "auth.logout", resourceType: "user", resourceId: u.id, metadata: {} });
  });
}
