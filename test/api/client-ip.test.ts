// The client address used for rate-limit buckets and audit entries comes from the socket unless
// TRUST_PROXY says a proxy we run sets X-Forwarded-For (that branch: lib/http/client-ip.test.ts).
import { afterEach, describe, expect, it } from "vitest";
import { BASE_URL } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { signInOverHttp } from "@/test/support/session";
import { awayFromWindowEdge } from "@/test/support/wait";
import { consumeRateLimit } from "@/lib/rate-limit";

afterEach(async () => {
  await testDb().rateLimitBucket.deleteMany({ where: { key: { startsWith: "login" } } });
});

async function failedLoginIp(email: string, headers: Record<string, string>): Promise<unknown> {
  await signInOverHttp(email, "wrong-password", headers);
  const row = await testDb().auditLog.findFirst({ where: { action: "auth.login", resourceId: email }, orderBy: { id: "desc" } });
  return (row?.metadata as { ip?: unknown } | undefined)?.ip;
}

describe("the client address without TRUST_PROXY", () => {
  it.each([
    ["X-Forwarded-For", { "x-forwarded-for": "203.0.113.7" }],
    ["a list in X-Forwarded-For", { "x-forwarded-for": "198.51.100.1, 203.0.113.7" }],
    ["X-Real-IP", { "x-real-ip": "203.0.113.7" }],
    ["the server's private header", { "x-webwaka-client-ip": "203.0.113.7" }],
  ])("a forged %s changes neither the bucket nor the audited address", async (_label, headers: Record<string, string>) => {
    const email = `xff-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.test`;
    const ip = await failedLoginIp(email, headers);
    expect(ip).toBe("127.0.0.1");
    const keys = (await testDb().rateLimitBucket.findMany({ where: { key: { startsWith: "login:ip:" } } })).map((b) => b.key);
    expect(keys).toContain("login:ip:127.0.0.1");
    expect(keys.filter((k) => k.includes("203.0.113.7") || k.includes("198.51.100.1"))).toEqual([]);
  });

  it("the per-address limit holds however the header is varied", { timeout: 300_000 }, async () => {
    await awayFromWindowEdge(15 * 60);
    const stamp = Date.now();
    const errors: (string | null)[] = [];
    // 50 attempts per address per 15 minutes (5 × LOGIN_RATE_LIMIT), each on a new account so
    // the per-account limit never trips.
    for (let i = 0; i < 52; i++) errors.push((await signInOverHttp(`spread-${stamp}-${i}@example.test`, "guess", { "x-forwarded-for": `203.0.113.${i}` })).error);
    expect(errors.slice(50)).toEqual(["RateLimited", "RateLimited"]);
  });
});

describe("rate-limit buckets", () => {
  it("expired buckets are removed as new ones are counted", async () => {
    const old = new Date(Date.now() - 2 * 86_400_000);
    const expired = `test:expired:${Date.now()}`;
    const current = `test:current:${Date.now()}`;
    await testDb().rateLimitBucket.create({ data: { key: expired, windowStart: old, count: 3, expiresAt: new Date(old.getTime() + 60_000) } });
    await testDb().rateLimitBucket.create({ data: { key: current, windowStart: new Date(), count: 1, expiresAt: new Date(Date.now() + 60_000) } });
    const live = await consumeRateLimit(`test:live:${Date.now()}`, 5, 60);
    expect(live.ok).toBe(true);
    expect(await testDb().rateLimitBucket.findUnique({ where: { key: expired } })).toBeNull();
    expect(await testDb().rateLimitBucket.findUnique({ where: { key: current } })).not.toBeNull();
    expect(await testDb().rateLimitBucket.count({ where: { key: { startsWith: "test:live:" } } })).toBe(1);
  });

  it("an expired bucket of the same key starts a new window", async () => {
    const key = `test:again:${Date.now()}`;
    const old = new Date(Date.now() - 3_600_000);
    await testDb().rateLimitBucket.create({ data: { key, windowStart: old, count: 99, expiresAt: new Date(old.getTime() + 60_000) } });
    expect((await consumeRateLimit(key, 5, 60)).ok).toBe(true);
    const row = await testDb().rateLimitBucket.findUniqueOrThrow({ where: { key } });
    expect(row.count).toBe(1);
    expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });
});

describe("the web server", () => {
  it("serves pages, the API and static assets", async () => {
    expect((await fetch(`${BASE_URL}/health/status`)).status).toBe(200);
    const login = await fetch(`${BASE_URL}/login`);
    expect(login.status).toBe(200);
    const asset = /\/_next\/static\/[^"]+\.js/.exec(await login.text())?.[0];
    expect(asset).toBeDefined();
    expect((await fetch(`${BASE_URL}${asset}`)).status).toBe(200);
  });
});
