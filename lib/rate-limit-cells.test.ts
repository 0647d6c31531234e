// Sign-in's limit (takeRateCell) against the real table: `limit` at once, then one per interval,
// and no doubling across a window boundary, where the fixed window sign-in used before
// (consumeRateLimit) allows twice the limit within a second: the contract test's 12 attempts once
// straddled one. The clock is the test's own (Date only), as the statement takes `now` from the
// caller; only takeRateCell runs on it, whose cleanup keeps an hour away from other rows.
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { getDb } from "@/lib/db";
import { takeRateCell } from "@/lib/rate-limit";

afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  await getDb().$disconnect();
});

const WINDOW = 15 * 60;
const LIMIT = 10;
const INTERVAL_MS = (WINDOW * 1000) / LIMIT;
// One second before the next 15-minute boundary of the epoch, where fixed windows turn (at most
// 15 minutes ahead: cleanup by the others' real clocks, an hour behind, never reaches these rows).
const BEFORE_BOUNDARY = new Date((Math.floor(Date.now() / (WINDOW * 1000)) + 1) * WINDOW * 1000 - 1000);
const at = (ms: number) => vi.setSystemTime(new Date(BEFORE_BOUNDARY.getTime() + ms));
const uniqueKey = (name: string) => `test:${name}:${Date.now()}:${Math.random()}`;

async function take(key: string, n: number): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) out.push((await takeRateCell(key, LIMIT, WINDOW)).ok);
  return out;
}

describe("takeRateCell", () => {
  it("allows the limit at once, then refuses with the time until the next attempt", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    at(0);
    const key = uniqueKey("cell");
    expect(await take(key, LIMIT)).toEqual(Array(LIMIT).fill(true));
    const refused = await takeRateCell(key, LIMIT, WINDOW);
    expect(refused.ok).toBe(false);
    expect(refused.retryAfter).toBe(INTERVAL_MS / 1000);
    at(INTERVAL_MS - 1);
    expect((await takeRateCell(key, LIMIT, WINDOW)).ok).toBe(false);
    at(INTERVAL_MS);
    expect(await take(key, 2)).toEqual([true, false]);
  });

  it("does not let a burst straddle a window boundary", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const key = uniqueKey("cell-edge");
    at(0);
    expect(await take(key, LIMIT)).toEqual(Array(LIMIT).fill(true));
    // Two seconds later, past a 15-minute boundary of the epoch: still refused.
    at(2000);
    expect(await take(key, LIMIT)).toEqual(Array(LIMIT).fill(false));
  });

  it("counts across replicas: concurrent attempts get exactly the limit", async () => {
    const key = uniqueKey("cell-race");
    const results = await Promise.all(Array.from({ length: 30 }, () => takeRateCell(key, LIMIT, WINDOW)));
    expect(results.filter((r) => r.ok)).toHaveLength(LIMIT);
  });
});
