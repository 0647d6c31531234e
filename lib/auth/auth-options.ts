import "server-only";
import type { NextAuthOptions } from "next-auth";
import { headers } from "next/headers";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { verifyPassword } from "@/lib/auth/password";
import { isRole } from "@/lib/auth/permissions";
import { consumeRateLimit } from "@/lib/rate-limit";
import { recordAudit } from "@/lib/audit/record-audit";
import { clientIpFromHeaders } from "@/lib/http/client-ip";
import { endSessionsAtSignOut } from "@/lib/auth/sessions";
import { auditFailedLogin } from "@/lib/auth/login-audit";
import { safeCallbackPath } from "@/lib/auth/callback-url";

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(200),
  password: z.string().min(1).max(200),
});

const LOGIN_WINDOW_SECONDS = 15 * 60;

export function getAuthOptions(): NextAuthOptions {
  const env = getEnv();
  return {
    secret: env.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(raw, req) {
          const parsed = credentialsSchema.safeParse(raw);
          if (!parsed.success) return null;
          const { email, password } = parsed.data;
          const ip = clientIpFromHeaders(new Headers(req?.headers as Record<string, string> | undefined));
          // Limit per account (cannot be dodged by a forged address) and per client address.
          const perAccount = await consumeRateLimit(`login:email:${email}`, env.LOGIN_RATE_LIMIT, LOGIN_WINDOW_SECONDS);
          const perIp = await consumeRateLimit(`login:ip:${ip ?? "unknown"}`, env.LOGIN_RATE_LIMIT * 5, LOGIN_WINDOW_SECONDS);
          // Counted in the buckets above, not audited: a flood must not grow the audit log.
          if (!perAccount.ok || !perIp.ok) throw new Error("RateLimited");
          const db = getDb();
          const user = await db.user.findUnique({ where: { email } });
          const ok = await verifyPassword(password, user?.passwordHash ?? null);
          if (!user || !ok || user.disabledAt) {
            await auditFailedLogin({ email, ip, reason: user?.disabledAt ? "disabled" : "bad_credentials" });
            return null;
          }
          await db.$transaction(async (tx) => {
            await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
            await recordAudit(tx, { type: "user", userId: user.id, email: user.email, name: user.name, role: user.role, ip }, { action: "auth.login", resourceType: "user", resourceId: user.id, metadata: {} });
          });
          return { id: user.id, email: user.email, name: user.name, role: user.role, sessionVersion: user.sessionVersion };
        },
      }),
    ],
    callbacks: {
      // Every callbackUrl next-auth honours (sign-in, sign-out, its sign-in page) passes here.
      redirect({ url, baseUrl }) {
        return new URL(safeCallbackPath(url, baseUrl) ?? "/", baseUrl).href;
      },
      jwt({ token, user }) {
        if (user && "role" in user && isRole(user.role)) token.role = user.role;
        if (user && "sessionVersion" in user && typeof user.sessionVersion === "number") token.sv = user.sessionVersion;
        return token;
      },
      session({ session, token }) {
        if (session.user) {
          session.user.id = token.sub ?? "";
          session.user.role = isRole(token.role) ? token.role : "viewer";
          session.user.sessionVersion = typeof token.sv === "number" ? token.sv : 0;
        }
        return session;
      },
    },
    events: {
      // A JWT cannot be deleted; signing out ends the person's sessions by version instead.
      async signOut({ token }) {
        const ip = clientIpFromHeaders(await headers());
        await endSessionsAtSignOut({ userId: token?.sub, sessionVersion: typeof token?.sv === "number" ? token.sv : undefined, ip });
      },
    },
  };
}
