// The API's leased rate limit against the suite's real database: two limiters, each with a pool
// of its own, stand for two web replicas. Together they never let more than the limit through,
// and they ask the database once per block, not once per request.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { DATABASE_URL } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { awayFromWindowEdge } from "@/test/support/wait";
import { createLeasedRateLimiter, leaseBlock } from "@/lib/rate-limit-leases";

const replicas = [0, 1].map(() => new PrismaClient({ adapter: new PrismaPg({ connectionString: DATABASE_URL }) }));

afterAll(async () => {
  await Promise.all(replicas.map((db) => db.$disconnect()));
});

const WINDOW = 3600;
const newKey = () => `test:lease:${randomBytes(6).toString("hex")}`;

/** `n` requests at once against `limiter`; how many it let through. */
async function burst(limiter: ReturnType<typeof createLeasedRateLimiter>, key: string, limit: number, n: number): Promise<number> {
  const answers = await Promise.all(Array.from({ length: n }, () => limiter.take(key, limit, WINDOW)));
  return answers.filter((a) => a.ok).length;
}

/** Tokens the bucket has handed out in leases (each lease adds its whole block). */
async function leased(key: string): Promise<number> {
  return (await testDb().rateLimitBucket.findUniqueOrThrow({ where: { key } })).count;
}

describe("the leased API rate limit", () => {
  it("two replicas hammering one key together never exceed the limit", async () => {
    await awayFromWindowEdge(WINDOW, 30_000);
    const limit = 40;
    const block = leaseBlock(limit);
    for (let round = 0; round < 5; round++) {
      const key = newKey();
      const [a, b] = replicas.map((db) => createLeasedRateLimiter(() => db));
      const oks = await Promise.all([burst(a!, key, limit, 60), burst(b!, key, limit, 60), burst(a!, key, limit, 60), burst(b!, key, limit, 60)]);
      const total = oks.reduce((x, y) => x + y, 0);
      expect(total, `round ${round}: ${oks.join(" + ")}`).toBeLessThanOrEqual(limit);
      // What a replica leased but did not spend is lost to the other: at most a block less each.
      expect(total).toBeGreaterThanOrEqual(limit - 2 * (block - 1));
    }
  });

  it("one replica alone gets exactly the limit, and then refuses without asking the database", async () => {
    await awayFromWindowEdge(WINDOW, 30_000);
    const key = newKey();
    const limit = 100;
    const limiter = createLeasedRateLimiter(() => replicas[0]!);
    expect(await burst(limiter, key, limit, 150)).toBe(limit);
    // One statement per block of 5 (and one that came back empty), not one per request.
    const asked = await leased(key);
    expect(asked / leaseBlock(limit)).toBeLessThanOrEqual(limit / leaseBlock(limit) + 1);
    expect(await burst(limiter, key, limit, 50)).toBe(0);
    expect(await leased(key)).toBe(asked);
    const refused = await limiter.take(key, limit, WINDOW);
    expect(refused.ok).toBe(false);
    expect(refused.retryAfter).toBeGreaterThan(0);
  });

  it("a replica that joins late gets only what the others left", async () => {
    await awayFromWindowEdge(WINDOW, 30_000);
    const key = newKey();
    const limit = 60;
    const [a, b] = replicas.map((db) => createLeasedRateLimiter(() => db));
    const first = await burst(a!, key, limit, 45);
    expect(first).toBe(45);
    const second = await burst(b!, key, limit, 45);
    expect(first + second).toBeLessThanOrEqual(limit);
    expect(second).toBeGreaterThanOrEqual(limit - 45 - (leaseBlock(limit) - 1));
  });

  it("a new window starts with a full bucket", async () => {
    const key = newKey();
    const limiter = createLeasedRateLimiter(() => replicas[0]!);
    // A two-second window: spend it, then the next one.
    const toNextWindow = () => new Promise((r) => setTimeout(r, 2000 - (Date.now() % 2000) + 20));
    const spend = async () => (await Promise.all(Array.from({ length: 8 }, () => limiter.take(key, 3, 2)))).filter((a) => a.ok).length;
    await toNextWindow();
    expect(await spend()).toBe(3);
    await toNextWindow();
    expect(await spend()).toBe(3);
  });
});
