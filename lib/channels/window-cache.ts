// Maintenance-window answers for a pass over a whole fleet (the auto-update scan): the same
// functions as lib/channels/windows.ts, with two memories that last as long as the cache.
// - Offsets: Intl's formatToParts is what the window arithmetic spends its time in (tens of
//   seconds of CPU for a fleet of thousands). A zone's offset is read at the first and last second
//   of each UTC hour it is asked about; when they agree, every instant of that hour is read from
//   the offset with Date arithmetic, and an hour in which the offset changes is asked of Intl
//   second by second as before. (This assumes a zone never changes its offset twice within one
//   hour and back again; none does.)
// - Answers: an instance's next window, asked once per candidate release, is computed once per
//   pass for the same windows, zone, freezes and moment.
import { formatLocal, intlClock, nextWindowStart, offsetMs, type FreezePeriod, type WeeklyWindow, type ZoneClock } from "@/lib/channels/windows";

export type WindowAnswers = {
  nextWindowStart: (now: Date, windows: readonly WeeklyWindow[], timeZone: string, freezes?: readonly FreezePeriod[]) => Date | null;
  formatLocal: (at: Date, timeZone: string) => string;
};

/** The plain functions, asking Intl every time. */
export const directWindows: WindowAnswers = { nextWindowStart, formatLocal };

const HOUR_MS = 3_600_000;

/** A ZoneClock that remembers each zone's offset per UTC hour (see the top of this file). */
export function cachingClock(base: ZoneClock = intlClock): ZoneClock {
  const zones = new Map<string, Map<number, number | null>>();
  return (ms, timeZone) => {
    let hours = zones.get(timeZone);
    if (!hours) {
      hours = new Map();
      zones.set(timeZone, hours);
    }
    const hour = Math.floor(ms / HOUR_MS);
    let offset = hours.get(hour);
    if (offset === undefined) {
      const first = offsetMs(hour * HOUR_MS, timeZone, base);
      const last = offsetMs((hour + 1) * HOUR_MS - 1000, timeZone, base);
      offset = first === last ? first : null;
      hours.set(hour, offset);
    }
    if (offset === null) return base(ms, timeZone);
    // Intl reads to the whole second, rounding down.
    const d = new Date(Math.floor(ms / 1000) * 1000 + offset);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
  };
}

type Remembered = { now: number; timeZone: string; freezes: readonly FreezePeriod[]; at: Date | null };

/**
 * Window answers for one pass. `nextWindowStart` remembers its answer per windows array (by
 * identity), zone, freezes array (by identity) and moment: pass the same arrays for an instance.
 */
export function createWindowCache(): WindowAnswers {
  const clock = cachingClock();
  const answers = new WeakMap<readonly WeeklyWindow[], Remembered[]>();
  return {
    nextWindowStart(now, windows, timeZone, freezes = []) {
      let seen = answers.get(windows);
      if (!seen) {
        seen = [];
        answers.set(windows, seen);
      }
      const t = now.getTime();
      let hit = seen.find((e) => e.now === t && e.timeZone === timeZone && e.freezes === freezes);
      if (!hit) {
        hit = { now: t, timeZone, freezes, at: nextWindowStart(now, windows, timeZone, freezes, clock) };
        seen.push(hit);
      }
      return hit.at && new Date(hit.at.getTime());
    },
    formatLocal: (at, timeZone) => formatLocal(at, timeZone, clock),
  };
}
