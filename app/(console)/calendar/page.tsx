import type { Metadata } from "next";
import Link from "next/link";
import { requirePageActor } from "@/lib/auth/page-actor";
import { getPolicyCalendar } from "@/lib/channels/policy-calendar";
import { formatLocal } from "@/lib/channels/windows";
import { CHANNEL_LABELS } from "@/lib/instances/channels";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { Table, Td, Th } from "@/components/ui/table";
import { CalendarBadge } from "@/components/channels/calendar-cell";
import { NameSearch, PageProblem, Pagination } from "@/components/ui/pagination";
import { describePageProblem, parsePageSearch } from "@/lib/page-query";

export const metadata: Metadata = { title: "Policy calendar" };
export const dynamic = "force-dynamic";

const BASE = "/calendar";

export default async function CalendarPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageActor();
  const parsed = parsePageSearch(await searchParams);
  const header = (
    <PageHeader
      title="Policy calendar"
      description="For every instance and every release it could take: what a request would do, what the auto-update worker would do, and when. Times are in each instance's own zone; hover a badge for the policy's reason."
    />
  );
  if (!parsed.success) {
    return (
      <>
        {header}
        <PageProblem basePath={BASE} problem={describePageProblem(parsed.error)} />
      </>
    );
  }
  const query = parsed.data;
  const cal = await getPolicyCalendar({ actor, query });
  const pending = cal.releases.filter((r) => cal.rows.some((row) => row.cells.some((c) => c.version === r.version)));
  const pastEnd = cal.page.page > cal.page.pageCount;
  return (
    <>
      {header}
      {cal.page.total > 0 || query.q ? <NameSearch basePath={BASE} query={query} label="Find instances in the calendar" /> : null}
      {pastEnd ? (
        <PageProblem basePath={BASE} problem={null} info={cal.page} query={query} />
      ) : cal.rows.length === 0 ? (
        query.q ? (
          <EmptyState title="No instance matches">No instance name contains “{query.q}”.</EmptyState>
        ) : (
          <EmptyState title="No instances">Add an instance to see its policy.</EmptyState>
        )
      ) : pending.length === 0 && cal.page.pageCount === 1 && !query.q ? (
        <EmptyState title="Everything is up to date">No instance has a newer release available.</EmptyState>
      ) : (
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
            {cal.rows.map((row) => (
              <tr key={row.instance.id} data-testid={`calendar-row-${row.instance.name}`}>
                <Td>
                  <Link className="font-medium text-brand-700 underline" href={`/instances/${row.instance.id}`}>
                    {row.instance.name}
                  </Link>
                  <div className="text-xs text-slate-600">
                    <span className="font-mono">{row.instance.version}</span> · {CHANNEL_LABELS[row.instance.channel]}
                    {row.instance.pinnedVersion ? ` · pinned ${row.instance.pinnedVersion}` : ""}
                  </div>
                  <div className="text-xs text-slate-600">{row.nextWindow ? `Next window ${formatLocal(new Date(row.nextWindow), row.instance.timezone)}` : "No maintenance window"}</div>
                  {row.freeze ? <Badge tone="red">freeze until {formatLocal(new Date(row.freeze.endsAt), row.instance.timezone)}</Badge> : null}
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
                {pending.map((r) => {
                  const cell = row.cells.find((c) => c.version === r.version);
                  return (
                    <Td key={r.version}>
                      {cell ? (
                        <div className="space-y-1">
                          <div>
                            <span className="sr-only">Request: </span>
                            <CalendarBadge cell={cell.request} timezone={row.instance.timezone} />
                          </div>
                          <div className="text-xs text-slate-600">
                            Auto-update: <CalendarBadge cell={cell.automatic} timezone={row.instance.timezone} />
                          </div>
                        </div>
                      ) : (
                        <span className="text-xs text-slate-400">installed or older</span>
                      )}
                    </Td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {!pastEnd && cal.rows.length > 0 ? <Pagination basePath={BASE} query={query} info={cal.page} noun={["instance", "instances"]} label="Calendar pages" /> : null}
    </>
  );
}
