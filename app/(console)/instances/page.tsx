import type { Metadata } from "next";
import { requirePageActor } from "@/lib/auth/page-actor";
import { listInstancePage } from "@/lib/instances/get-instance";
import { toInstanceListRow } from "@/lib/instances/serialize-instance";
import { parsePageSearch } from "@/lib/page-query";
import { PageHeader } from "@/components/ui/card";
import { BadPageAddress, PagedList } from "@/components/ui/paged-list";
import { InstanceTable } from "@/components/instances/instance-table";

export const metadata: Metadata = { title: "Instances" };

const BASE = "/instances";

export default async function InstancesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageActor();
  const parsed = parsePageSearch(await searchParams);
  const header = <PageHeader title="Instances" description="Every WebWaka platform instance the console manages." />;
  if (!parsed.success) return <BadPageAddress header={header} basePath={BASE} error={parsed.error} />;
  const query = parsed.data;
  const { instances, page } = await listInstancePage({ actor, query });
  return (
    <PagedList header={header} basePath={BASE} query={query} info={page} searchLabel="Find instances">
      <InstanceTable initial={{ instances: instances.map(toInstanceListRow), page }} query={query} basePath={BASE} />
    </PagedList>
  );
}
