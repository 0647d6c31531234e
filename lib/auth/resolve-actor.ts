import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { cache } from "react";
import { getServerSession } from "next-auth";
import { headers } from "next/headers";
import { getDb } from "@/lib/db";
import { getAuthOptions } from "@/lib/auth/auth-options";
import { sha256Hex, API_TOKEN_PREFIX } from "@/lib/auth/tokens";
import { isCurrentSession } from "@/lib/auth/sessions";
import { clientIpFromHeaders } from "@/lib/http/client-ip";
import { isSameOriginRequest } from "@/lib/http/same-origin";
import type { Actor } from "@/lib/auth/actor";
import type { Role } from "@/lib/auth/permissions";

// Re-reads the user on every request, so a disabled account, a changed role or an ended session
// (sign-out, password change: lib/auth/sessions.ts) takes effect at once rather than when the
// session cookie expires.
async function actorFromSessionUser(userId: string, sessionVersion: number | undefined, ip: string | null): Promise<Actor | null> {
  const user = await getDb().user.findUnique({ where: { id: userId } });
  if (!user || user.disabledAt || !isCurrentSession(user, sessionVersion)) return null;
  return { type: "user", userId: user.id, email: user.email, name: user.name, role: user.role, ip, sessionVersion: user.sessionVersion };
}

type TokenRow = { id: string; name: string; revokedAt: Date | null; expiresAt: Date | null; lastUsedAt: Date | null; userId: string; email: string; userName: string; role: Role; disabledAt: Date | null };

const TOUCH_EVERY_MS = 60_000;
const touchedAt = new Map<string, number>();

// lastUsedAt is written at most once a minute per token: a busy script should not write on every
// call, and a thousand streams opened at once with one token should not queue on its row.
async function touchToken(tokenId: string, lastUsedAt: Date | null): Promise<void> {
  const now = Date.now();
  if (lastUsedAt && now - lastUsedAt.getTime() <= TOUCH_EVERY_MS) return;
  if (now - (touchedAt.get(tokenId) ?? 0) <= TOUCH_EVERY_MS) return;
  if (touchedAt.size > 10_000) touchedAt.clear();
  touchedAt.set(tokenId, now);
  await getDb().apiToken.updateMany({ where: { id: tokenId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now - TOUCH_EVERY_MS) } }] }, data: { lastUsedAt: new Date(now) } });
}

export async function actorFromBearer(authorization: string, ip: string | null): Promise<Actor | null> {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!m?.[1] || !m[1].startsWith(API_TOKEN_PREFIX)) return null;
  // The token and its owner in one statement (Prisma's include would make two), read on every
  // request: what revocation rests on, so nothing of it is cached.
  const [token] = await getDb().$queryRaw<TokenRow[]>`
    SELECT t.id, t.name, t.revoked_at AS "revokedAt", t.expires_at AS "expiresAt", t.last_used_at AS "lastUsedAt",
           u.id AS "userId", u.email, u.name AS "userName", u.role::text AS role, u.disabled_at AS "disabledAt"
    FROM api_tokens t JOIN users u ON u.id = t.user_id
    WHERE t.token_hash = ${sha256Hex(m[1])}`;
  if (!token || token.revokedAt || token.disabledAt) return null;
  if (token.expiresAt && token.expiresAt.getTime() <= Date.now()) return null;
  await touchToken(token.id, token.lastUsedAt);
  return { type: "token", tokenId: token.id, tokenName: token.name, userId: token.userId, email: token.email, name: token.userName, role: token.role, ip };
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

// A page's layout and the page itself both ask who is signed in: within one request that is one
// read of the session and the user, not one each. React keeps it for the request only, so the next
// request reads the user again (revocation still takes effect at once).
const sessionActorOfRequest = cache(async (): Promise<Actor | null> => actorFromSession(clientIpFromHeaders(await headers())));

/** For pages and server actions. */
export async function currentActor(): Promise<Actor | null> {
  const store = actorOverride.getStore();
  if (store !== undefined) return store;
  return sessionActorOfRequest();
}
