// The worker's scheduling helper: rounds never overlap, a failed round does not stop the loop, and
// stop() ends it (waiting for the round under way only when asked to drain).
import { afterEach, describe, expect, it, vi } from "vitest";
import { every } from "@/worker/every";

afterEach(() => {
  vi.useRealTimers();
});

describe("every", () => {
  it("skips a tick while the last round still runs, and carries on after a failure", async () => {
    vi.useFakeTimers();
    let rounds = 0;
    let release: () => void = () => undefined;
    const stop = every("test loop", 100, () => {
      rounds++;
      if (rounds === 2) return Promise.reject(new Error("boom"));
      return new Promise<void>((r) => (release = r));
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(rounds).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(rounds).toBe(1);
    release();
    await vi.advanceTimersByTimeAsync(100);
    expect(rounds).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(rounds).toBe(3);
    release();
    await stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(rounds).toBe(3);
  });

  it("runs at once with `now`, and with `drain` stop() waits for the round under way", async () => {
    let finished = false;
    let release: () => void = () => undefined;
    const stop = every("drained loop", 60_000, async () => {
      await new Promise<void>((r) => (release = r));
      finished = true;
    }, { now: true, drain: true });
    const stopped = stop();
    await new Promise((r) => setTimeout(r, 20));
    expect(finished).toBe(false);
    release();
    await stopped;
    expect(finished).toBe(true);
  });
});
