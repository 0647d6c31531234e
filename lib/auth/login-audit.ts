import "server-only";
import { getDb } from "@/lib/db";
import { consumeRateLimit } from "@/lib/rate-limit";
import { recordAudit, type AuditInput } from "@/lib/audit/record-audit";

// The audit log is append-only, so anonymous sign-in attempts must not be able to grow it at
// will. Rate-limited attempts are only counted (the login buckets). Failed ones are audited up to
// a budget per account and per client address in each window; the attempt that first goes over
// a budget writes one summary row instead, so the window's flood is on record without a timer.
export const FAILED_LOGIN_AUDIT_BUDGET = { perAccount: 5, perAddress: 20, windowSeconds: 15 * 60 } as const;

type Failure = { email: string; ip: string | null; reason: "bad_credentials" | "disabled" };

function summary(scope: "account" | "address", f: Failure, limit: number, windowEndsAt: Date): AuditInput {
  const who = scope === "account" ? `for ${f.email}` : `from ${f.ip ?? "an unknown address"}`;
  const minutes = FAILED_LOGIN_AUDIT_BUDGET.windowSeconds / 60;
  return {
    action: "auth.login",
    resourceType: "user",
    resourceId: scope === "account" ? f.email : null,
    result: "failure",
    metadata: {
      reason: "audit_suppressed",
      scope,
      ...(scope === "account" ? { email: f.email } : {}),
      ip: f.ip,
      limit,
      windowEndsAt: windowEndsAt.toISOString(),
      message: `More than ${limit} failed sign-ins ${who} within ${minutes} minutes: further failures until ${windowEndsAt.toISOString()} are counted in the rate-limit buckets, not audited one by one.`,
    },
  };
}

/** Audits one failed sign-in, within the budget (see above). */
export async function auditFailedLogin(f: Failure): Promise<void> {
  const { perAccount, perAddress, windowSeconds } = FAILED_LOGIN_AUDIT_BUDGET;
  const account = await consumeRateLimit(`login-audit:email:${f.email}`, perAccount, windowSeconds);
  const address = await consumeRateLimit(`login-audit:ip:${f.ip ?? "unknown"}`, perAddress, windowSeconds);
  const entries: AuditInput[] = [];
  if (account.ok && address.ok) {
    entries.push({ action: "auth.login", resourceType: "user", resourceId: f.email, result: "failure", metadata: { reason: f.reason, ip: f.ip } });
  }
  // Exactly one attempt sees the count one past the budget: the counter is a single upsert.
  if (account.count === perAccount + 1) entries.push(summary("account", f, perAccount, account.windowEndsAt));
  if (address.count === perAddress + 1) entries.push(summary("address", f, perAddress, address.windowEndsAt));
  if (entries.length === 0) return;
  await getDb().$transaction(async (tx) => {
    for (const e of entries) await recordAudit(tx, null, e);
  });
}
