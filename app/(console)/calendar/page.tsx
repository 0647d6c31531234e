import type { Metadata } from "next";
import { requirePageActor } from "@/lib/auth/page-actor";
import { getPolicyCalendar } from "@/lib/channels/policy-calendar";
import { toCalendarView } from "@/lib/channels/calendar-view";
import { parsePageSearch } from "@/lib/page-query";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { Pagination } from "@/components/ui/pagination";
import { BadPageAddress, PagedList } from "@/components/ui/paged-list";
import { CalendarTable } from "@/components/channels/calendar-table";

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
  if (!parsed.success) return <BadPageAddress header={header} basePath={BASE} error={parsed.error} />;
  const query = parsed.data;
  const cal = await getPolicyCalendar({ actor, query });
  const view = toCalendarView(cal);
  return (
    <PagedList header={header} basePath={BASE} query={query} info={cal.page} searchLabel="Find instances in the calendar">
      {view.rows.length === 0 ? (
        query.q ? (
          <EmptyState title="No instance matches">No instance name contains “{query.q}”.</EmptyState>
        ) : (
          <EmptyState title="No instances">Add an instance to see its policy.</EmptyState>
        )
      ) : (
        <>
          {view.pending.length === 0 && cal.page.pageCount === 1 && !query.q ? <EmptyState title="Everything is up to date">No instance has a newer release available.</EmptyState> : <CalendarTable view={view} />}
          <Pagination basePath={BASE} query={query} info={cal.page} noun={["instance", "instances"]} label="Calendar pages" />
        </>
      )}
    </PagedList>
  );
}
