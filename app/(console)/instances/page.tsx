import type { Metadata } from "next";
import { requirePageActor } from "@/lib/auth/page-actor";
import { listInstancePage } from "@/lib/instances/get-instance";
import { describePageProblem, parsePageSearch } from "@/lib/page-query";
import { PageHeader } from "@/components/ui/card";
import { NameSearch, PageProblem } from "@/components/ui/pagination";
import { InstanceTable } from "@/components/instances/instance-table";

export const metadata: Metadata = { title: "Instances" };

const BASE = "/instances";

export default async function InstancesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageActor();
  const parsed = parsePageSearch(await searchParams);
  const header = <PageHeader title="Instances" description="Every WebWaka platform instance the console manages." />;
  if (!parsed.success) {
    return (
      <>
        {header}
        <PageProblem basePath={BASE} problem={describePageProblem(parsed.error)} />
      </>
    );
  }
  const query = parsed.data;
  const initial = await listInstancePage({ actor, query });
  return (
    <>
      {header}
      {initial.page.total > 0 || query.q ? <NameSearch basePath={BASE} query={query} label="Find instances" /> : null}
      {initial.page.page > initial.page.pageCount ? <PageProblem basePath={BASE} problem={null} info={initial.page} query={query} /> : <InstanceTable initial={initial} query={query} basePath={BASE} />}
    </>
  );
}
