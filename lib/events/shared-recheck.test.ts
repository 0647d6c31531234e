// The shared re-check of open streams: all the streams of one credential are checked together,
// once per interval, and all close when it stops holding; other credentials are not touched.
import { describe, expect, it } from "vitest";
import { RECHECK_MS, recheckedCredentialCount, watchStillAllowed } from "@/lib/events/shared-recheck";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("shared re-checks", () => {
  it("checks a credential once per interval however many streams it has, and closes them all when it goes", async () => {
    let revoked = false;
    let tokenChecks = 0;
    let otherChecks = 0;
    const token = { key: `test:token:${Math.random()}`, check: async () => (tokenChecks++, !revoked) };
    const other = { key: `test:other:${Math.random()}`, check: async () => (otherChecks++, true) };
    const closed = { token: 0, other: 0 };
    const before = recheckedCredentialCount();
    const stops: (() => void)[] = [];
    for (let i = 0; i < 200; i++) {
      stops.push(watchStillAllowed(token, () => closed.token++));
      stops.push(watchStillAllowed(other, () => closed.other++));
    }
    expect(recheckedCredentialCount()).toBe(before + 2);

    await sleep(RECHECK_MS * 2 + 500);
    // Two intervals: about two checks each, not 400.
    expect(tokenChecks).toBeGreaterThanOrEqual(1);
    expect(tokenChecks).toBeLessThanOrEqual(3);
    expect(otherChecks).toBeLessThanOrEqual(3);
    expect(closed).toEqual({ token: 0, other: 0 });

    revoked = true;
    await sleep(RECHECK_MS + 500);
    expect(closed).toEqual({ token: 200, other: 0 });
    for (const stop of stops) stop();
    expect(recheckedCredentialCount()).toBe(before);
  });

  it("rides out a check that cannot be made, without closing", async () => {
    let closed = 0;
    const stop = watchStillAllowed({ key: `test:away:${Math.random()}`, check: () => Promise.reject(new Error("database away")) }, () => closed++);
    await sleep(RECHECK_MS + 500);
    expect(closed).toBe(0);
    stop();
  });
});
