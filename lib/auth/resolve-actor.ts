import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { getServerSession } from "next-auth";
import { headers } from "next/headers";
import { getDb } from "@/lib/db";
import { getAuthOptions } from "@/lib/auth/auth-options";
import { sha256Hex, API_TOKEN_PREFIX } from "@/lib/auth/tokens";
import { isCurrentSession } from "@/lib/auth/sessions";
import { clientIpFromHeaders } from "@/lib/http/client-ip";
import { isSameOriginRequest } from "@/lib/http/same-origin";
import type { Actor } from "@/lib/auth/actor";

// Re-reads the user on every request, so a disabled account, a changed role or an ended session
// (sign-out, password change: lib/auth/sessions.ts) takes effect at once rather than when the
// session cookie expires.
async function actorFromSessionUser(userId: string, sessionVersion: number | undefined, ip: string | null): Promise<Actor | null> {
  const user = await getDb().user.findUnique({ where: { id: userId } });
  if (!user || user.disabledAt || !isCurrentSession(user, sessionVersion)) return null;
  return { type: "user", userId: user.id, email: user.email, name: user.name, role: user.role, ip, sessionVersion: user.sessionVersion };
}

export async function actorFromBearer(authorization: string, ip: string | null): Promise<Actor | null> {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!m?.[1] || !m[1].startsWith(API_TOKEN_PREFIX)) return null;
  const db = getDb();
  const token = await db.apiToken.findUnique({ where: { tokenHash: sha256Hex(m[1]) }, include: { user: true } });
  if (!token || token.revokedAt || token.user.disabledAt) return null;
  if (token.expiresAt && token.expiresAt.getTime() <= Date.now()) return null;
  // Touch at most once a minute: a busy script should not write on every call.
  if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000) {
    await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } });
  }
  const u = token.user;
  return { type: "token", tokenId: token.id, tokenName: token.name, userId: u.id, email: u.email, name: u.name, role: u.role, ip };
}

export async function actorFromSession(ip: string | null): Promise<Actor | null> {
  const session = await getServerSession(getAuthOptions());
  const userId = session?.user?.id;
  return userId ? actorFromSessionUser(userId, session.user.sessionVersion, ip) : null;
}

/**
 * For route handlers: a bearer token wins; otherwise the session cookie. `via` says which, since
 * only the cookie is sent by a browser on its own (and so needs the same-origin check).
 */
export async function actorFromRequest(req: Request): Promise<{ actor: Actor | null; badToken: boolean; via: "bearer" | "session" }> {
  const ip = clientIpFromHeaders(req.headers);
  const authorization = req.headers.get("authorization");
  if (authorization) {
    const actor = await actorFromBearer(authorization, ip);
    return { actor, badToken: actor === null, via: "bearer" };
  }
  return { actor: await actorFromSession(ip), badToken: false, via: "session" };
}

// Lets tests and the worker run server actions as a given actor without a browser session.
const actorOverride = new AsyncLocalStorage<Actor | null>();

export function runAsActor<T>(actor: Actor | null, fn: () => Promise<T>): Promise<T> {
  return actorOverride.run(actor, fn);
}

/**
 * For server actions. Next refuses an action whose Origin names another host, but lets one
 * without an Origin through; this refuses that too, as the REST API does.
 */
export async function isCrossSiteAction(): Promise<boolean> {
  if (actorOverride.getStore() !== undefined) return false;
  return !isSameOriginRequest(await headers());
}

/** For pages and server actions. */
export async function currentActor(): Promise<Actor | null> {
  const store = actorOverride.getStore();
  if (store !== undefined) return store;
  return actorFromSession(clientIpFromHeaders(await headers()));
}
