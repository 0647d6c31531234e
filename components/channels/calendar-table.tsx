"use client";
import Link from "next/link";
import { fromViewCell, type CalendarView } from "@/lib/channels/calendar-view";
import { formatLocal } from "@/lib/channels/windows";
import { CHANNEL_LABELS } from "@/lib/instances/channels";
import { Badge } from "@/components/ui/badge";
import { Table, Td, Th } from "@/components/ui/table";
import { CalendarBadge } from "@/components/channels/calendar-cell";

// A client component so that the page sends the calendar once, as compact data, and the cells
// are built from it here (and in the server's first render), instead of sending every cell's
// markup a second time in the page's component payload.
export function CalendarTable({ view }: { view: CalendarView }) {
  const { pending, reasons, rows } = view;
  return (
    <Table caption="Channel policy per instance and release">
      <thead>
        <tr>
          <Th>Instance</Th>
          {pending.length === 0 ? <Th>Newer releases</Th> : null}
          {pending.map((r) => (
            <Th key={r.version}>
              <span className="font-mono normal-case">{r.version}</span>
              {r.security ? <span className="ml-1 normal-case text-red-700">security{r.critical ? " (critical)" : ""}</span> : null}
              {r.breaking ? <span className="ml-1 normal-case text-amber-700">breaking</span> : null}
              {r.status !== "stable" ? <span className="ml-1 normal-case text-slate-500">{r.status}</span> : null}
            </Th>
          ))}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((row) => {
          const tz = row.instance.timezone;
          return (
            <tr key={row.instance.id} data-testid={`calendar-row-${row.instance.name}`}>
              <Td>
                <Link className="font-medium text-brand-700 underline" href={`/instances/${row.instance.id}`}>
                  {row.instance.name}
                </Link>
                <div className="text-xs text-slate-600">
                  <span className="font-mono">{row.instance.version}</span> · {CHANNEL_LABELS[row.instance.channel]}
                  {row.instance.pinnedVersion ? ` · pinned ${row.instance.pinnedVersion}` : ""}
                </div>
                <div className="text-xs text-slate-600">{row.nextWindow ? `Next window ${formatLocal(new Date(row.nextWindow), tz)}` : "No maintenance window"}</div>
                {row.freezeEndsAt ? <Badge tone="red">freeze until {formatLocal(new Date(row.freezeEndsAt), tz)}</Badge> : null}
                {row.activeUpgradeId ? (
                  <div className="text-xs">
                    <Link className="text-brand-700 underline" href={`/upgrades/${row.activeUpgradeId}`}>
                      Active upgrade
                    </Link>
                  </div>
                ) : null}
              </Td>
              {pending.length === 0 ? (
                <Td>
                  <span className="text-xs text-slate-400">none: up to date</span>
                </Td>
              ) : null}
              {pending.map((r, k) => {
                const cell = row.cells[k];
                return (
                  <Td key={r.version}>
                    {cell ? (
                      <div className="space-y-1" data-testid={`calendar-cell-${row.instance.name}-${r.version}`}>
                        <div data-trigger="manual">
                          <span className="sr-only">Request: </span>
                          <CalendarBadge cell={fromViewCell(cell.request, reasons)} timezone={tz} />
                        </div>
                        <div className="text-xs text-slate-600" data-trigger="auto">
                          Auto-update: <CalendarBadge cell={fromViewCell(cell.automatic, reasons)} timezone={tz} />
                        </div>
                      </div>
                    ) : (
                      <span className="text-xs text-slate-400">installed or older</span>
                    )}
                  </Td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </Table>
  );
}
