// The scan's window cache gives the same answers as lib/channels/windows.ts: the same instants
// for thousands of windows, moments and freezes in zones with and without DST (and with half- and
// quarter-hour offsets), the same local readings around every 2026 offset change, and a remembered
// answer equal to a fresh one.
import { describe, expect, it } from "vitest";
import { cachingClock, createWindowCache } from "@/lib/channels/window-cache";
import { formatLocal, intlClock, nextWindowStart, type FreezePeriod, type WeeklyWindow } from "@/lib/channels/windows";

const ZONES = ["UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham", "America/Sao_Paulo", "Africa/Lagos", "Asia/Tokyo"];
const DAY = 86_400_000;

// A small deterministic generator (mulberry32), so a failure can be reproduced.
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Instants around every offset change of 2026 in `zone`, found with Intl hour by hour. */
function changesOf(zone: string): number[] {
  const out: number[] = [];
  const offset = (ms: number) => {
    const p = intlClock(ms, zone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - ms;
  };
  let prev = offset(Date.UTC(2026, 0, 1));
  for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 3_600_000) {
    const o = offset(ms);
    if (o !== prev) out.push(ms);
    prev = o;
  }
  return out;
}

describe("cachingClock", () => {
  it("reads every instant as Intl does, around each offset change and anywhere else", () => {
    const next = rng(7);
    const clock = cachingClock();
    for (const zone of ZONES) {
      const changes = changesOf(zone);
      const instants = [...changes.flatMap((c) => Array.from({ length: 240 }, (_, k) => c - 2 * 3_600_000 + k * 60_000 + Math.floor(next() * 60_000)))];
      for (let k = 0; k < 300; k++) instants.push(Date.UTC(2026, 0, 1) + Math.floor(next() * 400 * DAY));
      for (const ms of instants) expect(clock(ms, zone), `${zone} ${new Date(ms).toISOString()}`).toEqual(intlClock(ms, zone));
    }
  });

  it("refuses a zone Intl does not know, as Intl does", () => {
    expect(() => cachingClock()(Date.UTC(2026, 0, 1), "Mars/Olympus")).toThrow(RangeError);
  });
});

describe("createWindowCache", () => {
  it("finds the same next window as nextWindowStart, over many windows, moments and freezes", () => {
    const next = rng(42);
    const cache = createWindowCache();
    let compared = 0;
    for (const zone of ZONES) {
      // Moments spread over the year, and some in the days around each offset change.
      const moments = [...Array.from({ length: 60 }, () => Date.UTC(2026, 0, 1) + Math.floor(next() * 365 * DAY)), ...changesOf(zone).flatMap((c) => [c - DAY, c - 3_600_000, c - 60_000, c, c + 1_800_000])];
      for (const ms of moments) {
        const now = new Date(ms);
        const windows: WeeklyWindow[] = Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({ dayOfWeek: Math.floor(next() * 7), startMinute: Math.floor(next() * 1440), durationMinutes: 1 + Math.floor(next() * (next() < 0.1 ? 3000 : 240)) }));
        const freezes: FreezePeriod[] = next() < 0.3 ? [{ startsAt: new Date(ms - DAY + next() * 3 * DAY), endsAt: new Date(ms + next() * 20 * DAY), reason: "freeze" }] : [];
        const expected = nextWindowStart(now, windows, zone, freezes);
        expect(cache.nextWindowStart(now, windows, zone, freezes)?.toISOString(), `${zone} ${now.toISOString()} ${JSON.stringify(windows)}`).toBe(expected?.toISOString());
        // Asked again (as the scan does for each candidate release): the remembered answer.
        expect(cache.nextWindowStart(now, windows, zone, freezes)?.toISOString()).toBe(expected?.toISOString());
        if (expected) expect(cache.formatLocal(expected, zone)).toBe(formatLocal(expected, zone));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(700);
  });

  it("answers for the moment and freezes asked about, not a remembered other one", () => {
    const cache = createWindowCache();
    const windows: WeeklyWindow[] = [{ dayOfWeek: 0, startMinute: 90, durationMinutes: 60 }];
    const now = new Date("2026-03-27T12:00:00Z");
    const later = new Date("2026-03-30T12:00:00Z");
    const freeze: FreezePeriod[] = [{ startsAt: new Date("2026-03-28T00:00:00Z"), endsAt: new Date("2026-04-01T00:00:00Z"), reason: "freeze" }];
    for (const [at, f] of [[now, []], [later, []], [now, freeze]] as const) {
      expect(cache.nextWindowStart(at, windows, "Europe/London", f)?.toISOString()).toBe(nextWindowStart(at, windows, "Europe/London", f)?.toISOString());
    }
    expect(cache.nextWindowStart(now, windows, "Asia/Tokyo")?.toISOString()).toBe(nextWindowStart(now, windows, "Asia/Tokyo")?.toISOString());
  });
});
