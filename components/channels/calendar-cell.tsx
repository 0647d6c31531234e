import type { CalendarCell, CalendarOutcome } from "@/lib/channels/policy-calendar";
import { formatLocal } from "@/lib/channels/windows";
import { Badge } from "@/components/ui/badge";

const LABEL: Record<CalendarOutcome, string> = {
  now: "Runs now",
  window: "Next window",
  approval: "Needs approval",
  override_possible: "Frozen · security override possible",
  frozen: "Frozen",
  never: "Never automatically",
  blocked: "Not eligible",
};

const TONE: Record<CalendarOutcome, "green" | "blue" | "yellow" | "purple" | "red" | "gray"> = {
  now: "green",
  window: "blue",
  approval: "yellow",
  override_possible: "purple",
  frozen: "red",
  never: "gray",
  blocked: "gray",
};

export function CalendarBadge({ cell, timezone }: { cell: CalendarCell; timezone: string }) {
  return (
    <span className="inline-flex flex-wrap items-center gap-1" title={cell.reason} data-outcome={cell.outcome}>
      <Badge tone={TONE[cell.outcome]}>{LABEL[cell.outcome]}</Badge>
      {cell.urgent ? <Badge tone="red">urgent</Badge> : null}
      {cell.at ? <span className="text-xs text-slate-600">{formatLocal(new Date(cell.at), timezone)}</span> : null}
      <span className="sr-only">{cell.reason}</span>
    </span>
  );
}
