// Weekly maintenance windows read in an IANA time zone, and dated freeze periods. Pure functions:
// the only clock is the `now` argument, and time-zone rules come from Intl (no date library).
//
// Conventions (the runbook is silent on these; see also lib/channels/policy.ts):
// - A window opens at local wall-clock `startMinute` on local `dayOfWeek` and stays open for
//   `durationMinutes` of elapsed time, so it may run past midnight or past Saturday into Sunday.
// - A start time that does not exist locally (skipped by a spring-forward change) opens at the
//   same distance past the change, e.g. 01:30 on the London spring-forward night opens at 02:30
//   BST. A start time that happens twice (fall-back) opens at the first of the two.
// - Intervals are half-open: a window [start, end) and a freeze [startsAt, endsAt).
// - A window wholly inside a freeze is skipped; one that overlaps a freeze only in part may still
//   be used in its unfrozen part.

export type WeeklyWindow = {
  /** 0 = Sunday … 6 = Saturday, in the instance's time zone. */
  dayOfWeek: number;
  /** Local minutes after midnight, 0…1439. */
  startMinute: number;
  /** Elapsed minutes the window stays open, 1…10080 (one week). */
  durationMinutes: number;
};

export type FreezePeriod = { startsAt: Date; endsAt: Date; reason: string };

/** One concrete opening of a weekly window. */
export type WindowOccurrence = { start: Date; end: Date };

/** How far ahead `nextWindowStart` looks before giving up. */
export const SEARCH_HORIZON_DAYS = 56;
/** Where `nextWindowStart` looks first: every weekly window opens in it at least once. */
const FIRST_LOOK_DAYS = 8;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const MAX_DURATION_MINUTES = 7 * 24 * 60;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws a RangeError for a zone Intl does not know.
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export type LocalParts = { year: number; month: number; day: number; hour: number; minute: number; second: number };

/**
 * Reads an instant's local wall clock (to the second) in a zone. `intlClock` asks Intl every time;
 * lib/channels/window-cache.ts has one that remembers offsets, for a scan over a whole fleet.
 */
export type ZoneClock = (ms: number, timeZone: string) => LocalParts;

export const intlClock: ZoneClock = (ms, timeZone) => {
  const out: LocalParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (p.type === "year" || p.type === "month" || p.type === "day" || p.type === "minute" || p.type === "second") out[p.type] = Number(p.value);
    else if (p.type === "hour") out.hour = Number(p.value) % 24; // some ICU builds print midnight as 24
  }
  return out;
};

/** The local wall-clock reading of an instant, expressed as if it were a UTC timestamp. */
function wallClockMs(ms: number, timeZone: string, clock: ZoneClock): number {
  const p = clock(ms, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

/** Offset of local time from UTC at an instant, in ms (positive east of Greenwich). */
export function offsetMs(ms: number, timeZone: string, clock: ZoneClock = intlClock): number {
  const whole = ms - (((ms % 1000) + 1000) % 1000);
  return wallClockMs(whole, timeZone, clock) - whole;
}

/**
 * The instant at which local wall-clock `minuteOfDay` on the local date year-month-day occurs in
 * `timeZone`. Skipped times move forward by the gap; repeated times resolve to the earlier one.
 */
export function zonedTimeToInstant(year: number, month: number, day: number, minuteOfDay: number, timeZone: string, clock: ZoneClock = intlClock): Date {
  const wall = Date.UTC(year, month - 1, day, 0, minuteOfDay);
  const before = offsetMs(wall - DAY_MS, timeZone, clock);
  const after = offsetMs(wall + DAY_MS, timeZone, clock);
  // Away from a change of offset both readings agree: one candidate to check, not two.
  const candidates = before === after ? [wall - before] : [wall - before, wall - after];
  const matches = candidates.filter((c) => wallClockMs(c, timeZone, clock) === wall);
  if (matches.length > 0) return new Date(Math.min(...matches));
  // In a gap: reading the wall time with the offset in force before the change lands just as far
  // past the change as the wall time is past the missing hour's start.
  return new Date(wall - before);
}

/** "2026-03-29 02:30 (Europe/London)": a local reading for reasons shown to people. */
export function formatLocal(at: Date, timeZone: string, clock: ZoneClock = intlClock): string {
  const p = clock(at.getTime(), timeZone);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)} (${timeZone})`;
}

function assertDate(d: Date, name: string): void {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new RangeError(`${name} is not a valid date.`);
}

/** Throws a RangeError naming the first malformed window. */
export function assertValidWindows(windows: readonly WeeklyWindow[]): void {
  windows.forEach((w, i) => {
    if (!Number.isInteger(w.dayOfWeek) || w.dayOfWeek < 0 || w.dayOfWeek > 6) throw new RangeError(`Window ${i}: dayOfWeek must be 0 (Sunday) to 6 (Saturday), got ${w.dayOfWeek}.`);
    if (!Number.isInteger(w.startMinute) || w.startMinute < 0 || w.startMinute > 1439) throw new RangeError(`Window ${i}: startMinute must be 0 to 1439, got ${w.startMinute}.`);
    if (!Number.isInteger(w.durationMinutes) || w.durationMinutes < 1 || w.durationMinutes > MAX_DURATION_MINUTES) {
      throw new RangeError(`Window ${i}: durationMinutes must be 1 to ${MAX_DURATION_MINUTES}, got ${w.durationMinutes}.`);
    }
  });
}

/**
 * Every opening of `windows` that overlaps [from, to), sorted by start. Includes an opening that
 * began before `from` and is still open at `from`.
 */
export function windowOccurrences(from: Date, to: Date, windows: readonly WeeklyWindow[], timeZone: string, clock: ZoneClock = intlClock): WindowOccurrence[] {
  assertDate(from, "from");
  assertDate(to, "to");
  assertValidWindows(windows);
  if (windows.length === 0 || to.getTime() <= from.getTime()) return [];
  const today = clock(from.getTime(), timeZone);
  // A window lasts at most a week, so one that is still open began at most 8 local days ago.
  const lastDay = Math.ceil((to.getTime() - from.getTime()) / DAY_MS) + 1;
  const out: WindowOccurrence[] = [];
  for (let k = -8; k <= lastDay; k++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + k));
    const dow = date.getUTCDay();
    for (const w of windows) {
      if (w.dayOfWeek !== dow) continue;
      const start = zonedTimeToInstant(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), w.startMinute, timeZone, clock);
      const end = new Date(start.getTime() + w.durationMinutes * MINUTE_MS);
      if (end.getTime() > from.getTime() && start.getTime() < to.getTime()) out.push({ start, end });
    }
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime() || a.end.getTime() - b.end.getTime());
}

/** Is a maintenance window open at `now`? (Freeze periods are not considered here.) */
export function isInWindow(now: Date, windows: readonly WeeklyWindow[], timeZone: string): boolean {
  return windowOccurrences(now, new Date(now.getTime() + 1), windows, timeZone).some((o) => o.start.getTime() <= now.getTime());
}

/** The freeze in force at `now` (the one lasting longest if several overlap), or null. */
export function activeFreeze(now: Date, freezes: readonly FreezePeriod[]): FreezePeriod | null {
  assertDate(now, "now");
  let found: FreezePeriod | null = null;
  for (const f of freezes) {
    if (f.startsAt.getTime() <= now.getTime() && now.getTime() < f.endsAt.getTime() && (!found || f.endsAt.getTime() > found.endsAt.getTime())) found = f;
  }
  return found;
}

/** The first instant at or after `t` that no freeze covers. */
function firstUnfrozen(t: number, freezes: readonly FreezePeriod[]): number {
  for (;;) {
    const f = activeFreeze(new Date(t), freezes);
    if (!f) return t;
    t = f.endsAt.getTime();
  }
}

/**
 * When a window next allows work: `now` itself when a window is open and no freeze is in force,
 * otherwise the first later instant that is inside a window and outside every freeze. Null when
 * there are no windows, or none opens unfrozen within SEARCH_HORIZON_DAYS.
 */
export function nextWindowStart(now: Date, windows: readonly WeeklyWindow[], timeZone: string, freezes: readonly FreezePeriod[] = [], clock: ZoneClock = intlClock): Date | null {
  if (windows.length === 0) return null;
  // Each opening costs a few Intl calls, and the answer is nearly always in the coming week: look
  // there first, and over the whole horizon only when freezes push past it. The week's openings
  // are the first of the horizon's (both sorted by start), so the first hit is the same.
  for (const days of [FIRST_LOOK_DAYS, SEARCH_HORIZON_DAYS]) {
    const horizon = new Date(now.getTime() + days * DAY_MS);
    for (const o of windowOccurrences(now, horizon, windows, timeZone, clock)) {
      // Sorted by start, and "first unfrozen instant at or after x" grows with x: the first hit is
      // the earliest.
      const t = firstUnfrozen(Math.max(o.start.getTime(), now.getTime()), freezes);
      if (t < o.end.getTime()) return new Date(t);
    }
  }
  return null;
}
