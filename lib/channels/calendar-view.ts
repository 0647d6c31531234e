// The policy calendar as the page hands it to the browser: only the releases some row can take,
// one cell per row and pending release in that order, and each reason once. Reasons repeat across
// a page (the same channel, window and release give the same sentence), and every cell used to
// carry its own copy in the page's data as well as in its HTML. No server-only imports: the
// calendar's client component reads it.
import type { CalendarCell, CalendarOutcome, CalendarRow, PolicyCalendar } from "@/lib/channels/policy-calendar";

/** A cell with its reason as an index into `CalendarView.reasons`; `at` and `urgent` only when set. */
export type ViewCell = { outcome: CalendarOutcome; at?: string; urgent?: true; reason: number };

export type ViewRow = {
  instance: CalendarRow["instance"];
  nextWindow: string | null;
  freezeEndsAt: string | null;
  activeUpgradeId: string | null;
  /** Aligned with `pending`; null where the instance already runs that release or a newer one. */
  cells: ({ request: ViewCell; automatic: ViewCell } | null)[];
};

export type CalendarView = { pending: PolicyCalendar["releases"]; reasons: string[]; rows: ViewRow[] };

export function toCalendarView(cal: PolicyCalendar): CalendarView {
  const pending = cal.releases.filter((r) => cal.rows.some((row) => row.cells.some((c) => c.version === r.version)));
  const reasons: string[] = [];
  const index = new Map<string, number>();
  const compact = (c: CalendarCell): ViewCell => {
    let reason = index.get(c.reason);
    if (reason === undefined) {
      reason = reasons.push(c.reason) - 1;
      index.set(c.reason, reason);
    }
    return { outcome: c.outcome, reason, ...(c.at ? { at: c.at } : {}), ...(c.urgent ? { urgent: true as const } : {}) };
  };
  const rows = cal.rows.map((row): ViewRow => {
    const byVersion = new Map(row.cells.map((c) => [c.version, c]));
    return {
      instance: row.instance,
      nextWindow: row.nextWindow,
      freezeEndsAt: row.freeze?.endsAt ?? null,
      activeUpgradeId: row.activeUpgradeId,
      cells: pending.map((r) => {
        const c = byVersion.get(r.version);
        return c ? { request: compact(c.request), automatic: compact(c.automatic) } : null;
      }),
    };
  });
  return { pending, reasons, rows };
}

/** A compact cell back in the calendar's own shape. */
export function fromViewCell(c: ViewCell, reasons: readonly string[]): CalendarCell {
  return { outcome: c.outcome, at: c.at ?? null, urgent: c.urgent ?? false, reason: reasons[c.reason] ?? "" };
}
