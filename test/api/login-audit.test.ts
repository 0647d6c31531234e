// A flood of bad sign-ins must not flood the append-only audit log: rate-limited attempts are only
// counted, failures are audited up to a budget per address and per account, and reaching the
// budget writes one summary row for the window.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testDb } from "@/test/support/db";
import { signInOverHttp } from "@/test/support/session";
import { awayFromWindowEdge } from "@/test/support/wait";
import { FAILED_LOGIN_AUDIT_BUDGET } from "@/lib/auth/login-audit";

const { perAccount, perAddress } = FAILED_LOGIN_AUDIT_BUDGET;

// These floods use the per-address budget of 127.0.0.1, which earlier files sign in from too (a
// file that ran just before could leave it half spent, and its summary row would land among
// these), and later files need it whole: cleared before and after each.
const clearLoginBuckets = () => testDb().rateLimitBucket.deleteMany({ where: { key: { startsWith: "login" } } });
beforeEach(clearLoginBuckets);
afterEach(clearLoginBuckets);

async function loginRowsSince(id: bigint) {
  return testDb().auditLog.findMany({ where: { action: "auth.login", id: { gt: id } }, orderBy: { id: "asc" } });
}

async function lastAuditId() {
  return (await testDb().auditLog.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0n;
}

describe("failed sign-ins in the audit log", () => {
  it("60 rapid bad sign-ins on one account write a few rows and one summary", { timeout: 300_000 }, async () => {
    await awayFromWindowEdge(FAILED_LOGIN_AUDIT_BUDGET.windowSeconds);
    const email = `flood-${Date.now()}@example.test`;
    const start = await lastAuditId();
    const errors = await Promise.all(Array.from({ length: 60 }, (_, i) => signInOverHttp(email, `guess-${i}`).then((r) => r.error)));
    expect(errors.every((e) => e === "CredentialsSignin" || e === "RateLimited")).toBe(true);
    expect(errors.filter((e) => e === "RateLimited").length).toBeGreaterThanOrEqual(40);
    const rows = await loginRowsSince(start);
    // The per-account budget, then one summary; the 50 rate-limited attempts write nothing.
    expect(rows).toHaveLength(perAccount + 1);
    expect(rows.filter((r) => r.result === "denied")).toHaveLength(0);
    const summaries = rows.filter((r) => (r.metadata as { reason?: string }).reason === "audit_suppressed");
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.metadata).toMatchObject({ scope: "account", email, limit: expect.any(Number), windowEndsAt: expect.any(String) });
    expect(rows.filter((r) => r.result === "failure" && (r.metadata as { reason?: string }).reason === "bad_credentials").length).toBeGreaterThan(0);
  });

  it("60 bad sign-ins on 60 accounts from one address write a bounded number of rows and one summary", { timeout: 300_000 }, async () => {
    await awayFromWindowEdge(FAILED_LOGIN_AUDIT_BUDGET.windowSeconds);
    const start = await lastAuditId();
    const stamp = Date.now();
    for (let i = 0; i < 60; i++) await signInOverHttp(`spray-${stamp}-${i}@example.test`, "guess");
    const rows = await loginRowsSince(start);
    // 50 attempts get past the per-address limit; the per-address budget of them is audited.
    expect(rows).toHaveLength(perAddress + 1);
    const summaries = rows.filter((r) => (r.metadata as { reason?: string }).reason === "audit_suppressed");
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.metadata).toMatchObject({ scope: "address", ip: expect.any(String) });
  });

  it("a successful sign-in is still audited", async () => {
    const start = await lastAuditId();
    const { EMAILS, PASSWORD } = await import("@/test/support/env");
    expect((await signInOverHttp(EMAILS.viewer, PASSWORD)).ok).toBe(true);
    const rows = await loginRowsSince(start);
    expect(rows.filter((r) => r.result === "success")).toHaveLength(1);
  });
});
