import { z } from "zod";

// PostgreSQL's timestamptz spans 4713 BC to 294276 AD and a JavaScript Date ±275760 years; a date
// past either fails deep in a query. The console has no use for dates before 1970 or after 9999,
// so every date it accepts, in a body or a query, passes through one of these schemas.
export const MIN_DATE = new Date(Date.UTC(1970, 0, 1));
export const MAX_DATE = new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999));
const RANGE_MESSAGE = "must be between the years 1970 and 9999";

export function isDateInRange(d: Date): boolean {
  const t = d.getTime();
  return !Number.isNaN(t) && t >= MIN_DATE.getTime() && t <= MAX_DATE.getTime();
}

/** An ISO 8601 date-time with an offset (kept as the string it was), within 1970–9999. */
export function isoDateTimeSchema(message = "must be an ISO 8601 date-time") {
  return z.iso.datetime({ offset: true, message }).refine((v) => isDateInRange(new Date(v)), RANGE_MESSAGE);
}

/** A filter bound: an ISO date or date-time, parsed to a Date; absent or empty means no bound. */
export const optionalDateFilterSchema = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === "") return undefined;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: "custom", message: "must be an ISO date or date-time" });
      return z.NEVER;
    }
    if (!isDateInRange(d)) {
      ctx.addIssue({ code: "custom", message: RANGE_MESSAGE });
      return z.NEVER;
    }
    return d;
  });
