// A session cookie stops working when its person signs out, changes password, is disabled or
// changes role: a JWT copied before any of those must not keep acting for the rest of its 12 h.
import { afterEach, describe, expect, it } from "vitest";
import { BASE_URL } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { actorFor } from "@/test/support/actors";
import { signInOverHttp } from "@/test/support/session";
import { hashPassword } from "@/lib/auth/password";
import { setUserDisabled, setUserPassword, updateUserRole } from "@/lib/users/manage-users";

const PASSWORD = "correct-horse-battery";

afterEach(async () => {
  // Sign-ins here count against the shared per-address limit; later files sign in too.
  await testDb().rateLimitBucket.deleteMany({ where: { key: { startsWith: "login:" } } });
});

async function signedInUser(): Promise<{ id: string; email: string; cookie: string }> {
  const email = `session-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const user = await testDb().user.create({ data: { email, name: "Session test", role: "viewer", passwordHash: await hashPassword(PASSWORD) } });
  const r = await signInOverHttp(email, PASSWORD);
  expect(r.ok, r.error ?? "").toBe(true);
  return { id: user.id, email, cookie: r.cookie };
}

/** Only the session cookie: what an attacker who copied it would send. */
function sessionOnly(cookie: string): string {
  return cookie.split("; ").filter((c) => c.startsWith("next-auth.session-token=")).join("; ");
}

async function apiStatus(cookie: string): Promise<number> {
  return (await fetch(`${BASE_URL}/api/superadmin/instances`, { headers: { cookie } })).status;
}

async function pageLocation(cookie: string): Promise<string | null> {
  const res = await fetch(`${BASE_URL}/`, { headers: { cookie }, redirect: "manual" });
  return res.status === 200 ? null : res.headers.get("location");
}

async function signOut(cookie: string): Promise<void> {
  const csrfRes = await fetch(`${BASE_URL}/api/auth/csrf`, { headers: { cookie } });
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await fetch(`${BASE_URL}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, origin: new URL(BASE_URL).origin, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, json: "true" }).toString(),
  });
  expect(res.status).toBeLessThan(400);
}

describe("session revocation", () => {
  it("a cookie copied before sign-out is refused after it", async () => {
    const u = await signedInUser();
    const copied = sessionOnly(u.cookie);
    expect(await apiStatus(copied)).toBe(200);
    expect(await pageLocation(copied)).toBeNull();
    await signOut(u.cookie);
    expect(await apiStatus(copied)).toBe(401);
    expect(await pageLocation(copied)).toContain("/login");
    // Signing in again gives a working session.
    const again = await signInOverHttp(u.email, PASSWORD);
    expect(await apiStatus(sessionOnly(again.cookie))).toBe(200);
  });

  it("a password change ends the sessions made with the old one", async () => {
    const u = await signedInUser();
    const copied = sessionOnly(u.cookie);
    expect(await apiStatus(copied)).toBe(200);
    await setUserPassword({ actor: await actorFor("superadmin"), input: { userId: u.id, password: "another-long-password" } });
    expect(await apiStatus(copied)).toBe(401);
    expect((await signInOverHttp(u.email, PASSWORD)).ok).toBe(false);
    expect((await signInOverHttp(u.email, "another-long-password")).ok).toBe(true);
    const audit = await testDb().auditLog.findFirst({ where: { action: "user.password.update", resourceId: u.id } });
    expect(audit).not.toBeNull();
  });

  it("disabling an account ends its sessions for good, also after it is enabled again", async () => {
    const u = await signedInUser();
    const copied = sessionOnly(u.cookie);
    const admin = await actorFor("superadmin");
    await setUserDisabled({ actor: admin, input: { userId: u.id, disabled: true } });
    expect(await apiStatus(copied)).toBe(401);
    await setUserDisabled({ actor: admin, input: { userId: u.id, disabled: false } });
    expect(await apiStatus(copied)).toBe(401);
  });

  it("a role change ends the sessions made under the old role", async () => {
    const u = await signedInUser();
    const copied = sessionOnly(u.cookie);
    await updateUserRole({ actor: await actorFor("superadmin"), input: { userId: u.id, role: "approver" } });
    expect(await apiStatus(copied)).toBe(401);
  });

  it("a stale cookie cannot sign its person out of their newer sessions", async () => {
    const u = await signedInUser();
    await signOut(u.cookie);
    const fresh = await signInOverHttp(u.email, PASSWORD);
    // The old, already revoked session posts a sign-out of its own.
    await signOut(u.cookie);
    expect(await apiStatus(sessionOnly(fresh.cookie))).toBe(200);
  });
});
