import { describe, expect, it } from "vitest";
import {
  activeFreeze,
  formatLocal,
  isInWindow,
  nextWindowStart,
  SEARCH_HORIZON_DAYS,
  windowOccurrences,
  zonedTimeToInstant,
  type FreezePeriod,
  type WeeklyWindow,
} from "@/lib/channels/windows";

const d = (iso: string) => new Date(iso);
const win = (dayOfWeek: number, hhmm: string, durationMinutes: number): WeeklyWindow => {
  const [h, m] = hhmm.split(":").map(Number);
  return { dayOfWeek, startMinute: (h ?? 0) * 60 + (m ?? 0), durationMinutes };
};
const freeze = (startsAt: string, endsAt: string, reason = "change freeze"): FreezePeriod => ({ startsAt: d(startsAt), endsAt: d(endsAt), reason });

const SUN = 0;
const WED = 3;
const SAT = 6;

// 2026: London springs forward Sun 29 Mar (01:00 GMT -> 02:00 BST) and falls back Sun 25 Oct
// (02:00 BST -> 01:00 GMT). New York springs forward Sun 8 Mar (02:00 EST -> 03:00 EDT) and falls
// back Sun 1 Nov (02:00 EDT -> 01:00 EST). Sydney falls back Sun 5 Apr (03:00 AEDT -> 02:00 AEST).
// Lagos is UTC+1 all year.

describe("zonedTimeToInstant", () => {
  it.each([
    ["Europe/London", "2026-03-22", "03:00", "2026-03-22T03:00:00.000Z", "GMT the week before the change"],
    ["Europe/London", "2026-03-29", "03:00", "2026-03-29T02:00:00.000Z", "BST after spring-forward"],
    ["Europe/London", "2026-03-29", "00:30", "2026-03-29T00:30:00.000Z", "before the gap"],
    ["Europe/London", "2026-03-29", "01:30", "2026-03-29T01:30:00.000Z", "skipped time moves forward to 02:30 BST"],
    ["Europe/London", "2026-10-25", "01:30", "2026-10-25T00:30:00.000Z", "repeated time resolves to the first (BST)"],
    ["Europe/London", "2026-10-25", "02:30", "2026-10-25T02:30:00.000Z", "GMT after fall-back"],
    ["America/New_York", "2026-03-08", "01:59", "2026-03-08T06:59:00.000Z", "EST before the gap"],
    ["America/New_York", "2026-03-08", "02:30", "2026-03-08T07:30:00.000Z", "skipped time moves forward to 03:30 EDT"],
    ["America/New_York", "2026-03-08", "03:00", "2026-03-08T07:00:00.000Z", "EDT after spring-forward"],
    ["America/New_York", "2026-11-01", "01:30", "2026-11-01T05:30:00.000Z", "repeated time resolves to the first (EDT)"],
    ["America/New_York", "2026-11-01", "02:00", "2026-11-01T07:00:00.000Z", "EST after fall-back"],
    ["Australia/Sydney", "2026-04-05", "02:30", "2026-04-04T15:30:00.000Z", "southern fall-back, first (AEDT)"],
    ["Africa/Lagos", "2026-03-29", "02:00", "2026-03-29T01:00:00.000Z", "no DST in March"],
    ["Africa/Lagos", "2026-07-01", "22:00", "2026-07-01T21:00:00.000Z", "no DST in July"],
    ["Asia/Kolkata", "2026-01-01", "00:00", "2025-12-31T18:30:00.000Z", "half-hour offset, previous UTC day"],
    ["UTC", "2026-02-28", "23:59", "2026-02-28T23:59:00.000Z", "UTC"],
  ])("%s %s %s -> %s (%s)", (tz, date, hhmm, expected) => {
    const [y, mo, da] = date.split("-").map(Number);
    const [h, mi] = hhmm.split(":").map(Number);
    expect(zonedTimeToInstant(y ?? 0, mo ?? 0, da ?? 0, (h ?? 0) * 60 + (mi ?? 0), tz).toISOString()).toBe(expected);
  });
});

describe("isInWindow", () => {
  it.each([
    // London Sunday 00:00 for 240 elapsed minutes across spring-forward: 00:00Z..04:00Z (05:00 BST).
    ["London spring-forward, before", "Europe/London", [win(SUN, "00:00", 240)], "2026-03-28T23:59:59.999Z", false],
    ["London spring-forward, at open", "Europe/London", [win(SUN, "00:00", 240)], "2026-03-29T00:00:00.000Z", true],
    ["London spring-forward, 04:30 BST still open", "Europe/London", [win(SUN, "00:00", 240)], "2026-03-29T03:30:00.000Z", true],
    ["London spring-forward, closed at end", "Europe/London", [win(SUN, "00:00", 240)], "2026-03-29T04:00:00.000Z", false],
    // Fall-back: opens 00:00 BST = Sat 23:00Z, closes 240 minutes later.
    ["London fall-back, opens Saturday 23:00Z", "Europe/London", [win(SUN, "00:00", 240)], "2026-10-24T23:00:00.000Z", true],
    ["London fall-back, 22:59Z not yet", "Europe/London", [win(SUN, "00:00", 240)], "2026-10-24T22:59:00.000Z", false],
    ["London fall-back, closes 03:00Z", "Europe/London", [win(SUN, "00:00", 240)], "2026-10-25T03:00:00.000Z", false],
    // New York Saturday 23:00 for 2 h, crossing midnight into the spring-forward Sunday.
    ["NY across midnight, before", "America/New_York", [win(SAT, "23:00", 120)], "2026-03-08T03:59:00.000Z", false],
    ["NY across midnight, open", "America/New_York", [win(SAT, "23:00", 120)], "2026-03-08T04:00:00.000Z", true],
    ["NY across midnight, after midnight", "America/New_York", [win(SAT, "23:00", 120)], "2026-03-08T05:59:59.999Z", true],
    ["NY across midnight, closed", "America/New_York", [win(SAT, "23:00", 120)], "2026-03-08T06:00:00.000Z", false],
    // Lagos Saturday 22:00 for 4 h: the window crosses the end of the week into Sunday.
    ["Lagos Sat->Sun, Sunday 01:30 local", "Africa/Lagos", [win(SAT, "22:00", 240)], "2026-03-08T00:30:00.000Z", true],
    ["Lagos Sat->Sun, closed Sunday 02:00", "Africa/Lagos", [win(SAT, "22:00", 240)], "2026-03-08T01:00:00.000Z", false],
    ["Lagos Sat->Sun, before", "Africa/Lagos", [win(SAT, "22:00", 240)], "2026-03-07T20:59:00.000Z", false],
    ["Lagos Wednesday, other day", "Africa/Lagos", [win(WED, "22:00", 60)], "2026-03-05T21:30:00.000Z", false],
    ["whole-week window", "Africa/Lagos", [win(WED, "00:00", 10080)], "2026-03-01T12:00:00.000Z", true],
    ["second of two windows", "Africa/Lagos", [win(WED, "22:00", 60), win(SUN, "03:00", 60)], "2026-03-08T02:15:00.000Z", true],
    ["no windows", "Africa/Lagos", [], "2026-03-04T21:30:00.000Z", false],
  ])("%s", (_name, tz, windows, now, expected) => {
    expect(isInWindow(d(now), windows, tz)).toBe(expected);
  });
});

describe("nextWindowStart", () => {
  const lagosWed = [win(WED, "22:00", 60)]; // 21:00Z-22:00Z every Wednesday
  it.each<[string, string, WeeklyWindow[], string, FreezePeriod[], string | null]>([
    ["no windows", "Africa/Lagos", [], "2026-03-02T10:00:00.000Z", [], null],
    ["later this week", "Africa/Lagos", lagosWed, "2026-03-02T10:00:00.000Z", [], "2026-03-04T21:00:00.000Z"],
    ["inside an open window: now", "Africa/Lagos", lagosWed, "2026-03-04T21:30:00.000Z", [], "2026-03-04T21:30:00.000Z"],
    ["exactly at opening: now", "Africa/Lagos", lagosWed, "2026-03-04T21:00:00.000Z", [], "2026-03-04T21:00:00.000Z"],
    ["exactly at closing: next week", "Africa/Lagos", lagosWed, "2026-03-04T22:00:00.000Z", [], "2026-03-11T21:00:00.000Z"],
    ["earliest of two windows, any order", "Africa/Lagos", [win(SAT, "01:00", 30), win(WED, "22:00", 60)], "2026-03-02T10:00:00.000Z", [], "2026-03-04T21:00:00.000Z"],
    ["inside Sat->Sun window after midnight: now", "Africa/Lagos", [win(SAT, "22:00", 240)], "2026-03-08T00:30:00.000Z", [], "2026-03-08T00:30:00.000Z"],
    ["London skipped 01:30 opens 02:30 BST", "Europe/London", [win(SUN, "01:30", 60)], "2026-03-28T12:00:00.000Z", [], "2026-03-29T01:30:00.000Z"],
    ["London 03:00 the week before spring-forward (GMT)", "Europe/London", [win(SUN, "03:00", 60)], "2026-03-21T12:00:00.000Z", [], "2026-03-22T03:00:00.000Z"],
    ["London 03:00 on spring-forward (BST)", "Europe/London", [win(SUN, "03:00", 60)], "2026-03-28T12:00:00.000Z", [], "2026-03-29T02:00:00.000Z"],
    ["London 03:00 the week before fall-back (BST)", "Europe/London", [win(SUN, "03:00", 60)], "2026-10-17T12:00:00.000Z", [], "2026-10-18T02:00:00.000Z"],
    ["London 03:00 on fall-back (GMT)", "Europe/London", [win(SUN, "03:00", 60)], "2026-10-24T12:00:00.000Z", [], "2026-10-25T03:00:00.000Z"],
    ["London repeated 01:30 opens at the first", "Europe/London", [win(SUN, "01:30", 60)], "2026-10-24T12:00:00.000Z", [], "2026-10-25T00:30:00.000Z"],
    ["NY skipped 02:30 opens 03:30 EDT", "America/New_York", [win(SUN, "02:30", 60)], "2026-03-07T12:00:00.000Z", [], "2026-03-08T07:30:00.000Z"],
    ["NY 02:30 the week after (EDT)", "America/New_York", [win(SUN, "02:30", 60)], "2026-03-08T08:30:00.000Z", [], "2026-03-15T06:30:00.000Z"],
    ["NY repeated 01:30 opens at the first (EDT)", "America/New_York", [win(SUN, "01:30", 60)], "2026-10-31T12:00:00.000Z", [], "2026-11-01T05:30:00.000Z"],
    ["NY 01:30 the week after fall-back (EST)", "America/New_York", [win(SUN, "01:30", 60)], "2026-11-02T12:00:00.000Z", [], "2026-11-08T06:30:00.000Z"],
    ["freeze covering the window: skip a week", "Africa/Lagos", lagosWed, "2026-03-02T10:00:00.000Z", [freeze("2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z")], "2026-03-11T21:00:00.000Z"],
    ["freeze ending mid-window: its end", "Africa/Lagos", lagosWed, "2026-03-02T10:00:00.000Z", [freeze("2026-03-04T00:00:00Z", "2026-03-04T21:40:00Z")], "2026-03-04T21:40:00.000Z"],
    ["freeze ending exactly at window end: skip", "Africa/Lagos", lagosWed, "2026-03-02T10:00:00.000Z", [freeze("2026-03-04T00:00:00Z", "2026-03-04T22:00:00Z")], "2026-03-11T21:00:00.000Z"],
    ["freeze ending exactly at opening: opening", "Africa/Lagos", lagosWed, "2026-03-02T10:00:00.000Z", [freeze("2026-03-03T00:00:00Z", "2026-03-04T21:00:00Z")], "2026-03-04T21:00:00.000Z"],
    ["freeze starting exactly at window end: opening", "Africa/Lagos", lagosWed, "2026-03-02T10:00:00.000Z", [freeze("2026-03-04T22:00:00Z", "2026-03-10T00:00:00Z")], "2026-03-04T21:00:00.000Z"],
    ["freeze starting mid-window: opening", "Africa/Lagos", lagosWed, "2026-03-02T10:00:00.000Z", [freeze("2026-03-04T21:30:00Z", "2026-03-10T00:00:00Z")], "2026-03-04T21:00:00.000Z"],
    ["inside a window while frozen until later in it", "Africa/Lagos", lagosWed, "2026-03-04T21:10:00.000Z", [freeze("2026-03-04T00:00:00Z", "2026-03-04T21:20:00Z")], "2026-03-04T21:20:00.000Z"],
    ["chained overlapping freezes", "Africa/Lagos", lagosWed, "2026-03-02T10:00:00.000Z", [freeze("2026-03-04T00:00:00Z", "2026-03-09T00:00:00Z"), freeze("2026-03-08T00:00:00Z", "2026-03-12T00:00:00Z")], "2026-03-18T21:00:00.000Z"],
    ["freeze of 7 weeks: found in week 8", "Africa/Lagos", lagosWed, "2026-03-02T10:00:00.000Z", [freeze("2026-03-02T00:00:00Z", "2026-04-20T00:00:00Z")], "2026-04-22T21:00:00.000Z"],
    ["freeze of 9 weeks: beyond the horizon", "Africa/Lagos", lagosWed, "2026-03-02T10:00:00.000Z", [freeze("2026-03-02T00:00:00Z", "2026-05-04T00:00:00Z")], null],
  ])("%s", (_name, tz, windows, now, freezes, expected) => {
    expect(nextWindowStart(d(now), windows, tz, freezes)?.toISOString() ?? null).toBe(expected);
  });
});

describe("nextWindowStart, looking at the coming week first", () => {
  // The answer the slow way: every opening of the whole horizon, in order, each pushed past the
  // freezes in force; the first still inside its window wins.
  function reference(now: Date, windows: WeeklyWindow[], tz: string, freezes: FreezePeriod[]): number | null {
    for (const o of windowOccurrences(now, new Date(now.getTime() + SEARCH_HORIZON_DAYS * 86_400_000), windows, tz)) {
      let t = Math.max(o.start.getTime(), now.getTime());
      for (let f = activeFreeze(new Date(t), freezes); f; f = activeFreeze(new Date(t), freezes)) t = f.endsAt.getTime();
      if (t < o.end.getTime()) return t;
    }
    return null;
  }

  it.each(["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham"])("agrees with a search of the whole horizon over a year in %s", (tz) => {
    const windows = [win(WED, "01:40", 60), win(SAT, "23:30", 300)];
    let checked = 0;
    for (let h = 0; h < 24 * 365; h += 11) {
      const now = new Date(Date.UTC(2026, 0, 1) + h * 3_600_000);
      // Freezes of a few hours, of 12 days (past the first week) and of 9 weeks (past the horizon).
      const len = [0, 5 / 24, 12, 63][h % 4] ?? 0;
      const freezes = len ? [freeze(now.toISOString(), new Date(now.getTime() + len * 86_400_000).toISOString())] : [];
      expect(nextWindowStart(now, windows, tz, freezes)?.getTime() ?? null, `${now.toISOString()} +${len} d`).toBe(reference(now, windows, tz, freezes));
      checked++;
    }
    expect(checked).toBeGreaterThan(700);
  });
});

describe("activeFreeze", () => {
  const a = freeze("2026-03-01T00:00:00Z", "2026-03-10T00:00:00Z", "a");
  const b = freeze("2026-03-05T00:00:00Z", "2026-03-20T00:00:00Z", "b");
  it.each<[string, string, FreezePeriod[], string | null]>([
    ["no freezes", "2026-03-02T00:00:00Z", [], null],
    ["before", "2026-02-28T23:59:59.999Z", [a], null],
    ["start is inclusive", "2026-03-01T00:00:00Z", [a], "a"],
    ["end is exclusive", "2026-03-10T00:00:00Z", [a], null],
    ["inside", "2026-03-04T00:00:00Z", [a, b], "a"],
    ["overlap: the longest-lasting", "2026-03-06T00:00:00Z", [a, b], "b"],
    ["empty period never applies", "2026-03-06T00:00:00Z", [freeze("2026-03-06T00:00:00Z", "2026-03-06T00:00:00Z")], null],
  ])("%s", (_name, now, freezes, expected) => {
    expect(activeFreeze(d(now), freezes)?.reason ?? null).toBe(expected);
  });
});

describe("windowOccurrences", () => {
  it("lists a window still open at the start and every later opening, in order", () => {
    const occ = windowOccurrences(d("2026-03-08T00:30:00Z"), d("2026-03-21T00:00:00Z"), [win(SAT, "22:00", 240), win(WED, "22:00", 60)], "Africa/Lagos");
    expect(occ.map((o) => [o.start.toISOString(), o.end.toISOString()])).toEqual([
      ["2026-03-07T21:00:00.000Z", "2026-03-08T01:00:00.000Z"],
      ["2026-03-11T21:00:00.000Z", "2026-03-11T22:00:00.000Z"],
      ["2026-03-14T21:00:00.000Z", "2026-03-15T01:00:00.000Z"],
      ["2026-03-18T21:00:00.000Z", "2026-03-18T22:00:00.000Z"],
    ]);
  });
});

describe("validation", () => {
  it.each<[string, WeeklyWindow]>([
    ["dayOfWeek 7", { dayOfWeek: 7, startMinute: 0, durationMinutes: 60 }],
    ["dayOfWeek -1", { dayOfWeek: -1, startMinute: 0, durationMinutes: 60 }],
    ["startMinute 1440", { dayOfWeek: 0, startMinute: 1440, durationMinutes: 60 }],
    ["fractional startMinute", { dayOfWeek: 0, startMinute: 1.5, durationMinutes: 60 }],
    ["zero duration", { dayOfWeek: 0, startMinute: 0, durationMinutes: 0 }],
    ["longer than a week", { dayOfWeek: 0, startMinute: 0, durationMinutes: 10081 }],
  ])("rejects a window with %s", (_name, w) => {
    expect(() => isInWindow(d("2026-03-02T00:00:00Z"), [w], "UTC")).toThrow(RangeError);
  });

  it("rejects an unknown time zone and an invalid date", () => {
    expect(() => isInWindow(d("2026-03-02T00:00:00Z"), [win(SUN, "00:00", 60)], "Mars/Olympus_Mons")).toThrow(RangeError);
    expect(() => nextWindowStart(new Date(Number.NaN), [win(SUN, "00:00", 60)], "UTC")).toThrow(RangeError);
  });
});

describe("formatLocal", () => {
  it.each([
    ["2026-03-29T01:30:00Z", "Europe/London", "2026-03-29 02:30 (Europe/London)"],
    ["2026-03-08T04:00:00Z", "America/New_York", "2026-03-07 23:00 (America/New_York)"],
    ["2026-03-07T23:30:00Z", "Africa/Lagos", "2026-03-08 00:30 (Africa/Lagos)"],
  ])("%s in %s", (iso, tz, expected) => {
    expect(formatLocal(d(iso), tz)).toBe(expected);
  });
});
