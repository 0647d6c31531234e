"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import type { InstanceListRow } from "@/lib/instances/serialize-instance";
import { CHANNEL_LABELS } from "@/lib/instances/channels";
import { Badge, statusTone } from "@/components/ui/badge";
import { Table, Td, Th } from "@/components/ui/table";
import { Alert, EmptyState } from "@/components/ui/card";
import { Pagination } from "@/components/ui/pagination";
import type { PageInfo, PageQuery } from "@/lib/pagination";

type InstancePage = { instances: InstanceListRow[]; page: PageInfo };

async function fetchInstancePage(query: PageQuery, info: PageInfo): Promise<InstancePage> {
  const params = new URLSearchParams({ page: String(info.page), pageSize: String(info.pageSize) });
  if (query.q) params.set("q", query.q);
  const res = await fetch(`/api/superadmin/instances?${params}`, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`The instance list could not be refreshed (HTTP ${res.status}).`);
  return (await res.json()) as InstancePage;
}

// Server-rendered first, then kept fresh (the same page) so an operator sees status changes without reloading.
export function InstanceTable({ initial, query, basePath }: { initial: InstancePage; query: PageQuery; basePath: string }) {
  const { data, error } = useQuery({
    queryKey: ["instances", query.q ?? "", initial.page.page, initial.page.pageSize],
    queryFn: () => fetchInstancePage(query, initial.page),
    initialData: initial,
    refetchInterval: 10_000,
  });
  if (data.instances.length === 0) {
    if (query.q) return <EmptyState title="No instance matches">No instance name contains “{query.q}”.</EmptyState>;
    return <EmptyState title="No instances yet">Instances appear here once they are registered with the console.</EmptyState>;
  }
  return (
    <div className="space-y-3">
      {error ? <Alert>{error.message} Showing the last known state.</Alert> : null}
      <Table caption="Instances">
        <thead>
          <tr>
            <Th>Name</Th>
            <Th>Version</Th>
            <Th>Channel</Th>
            <Th>Status</Th>
            <Th>Maintenance</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {data.instances.map((i) => (
            <tr key={i.id} data-testid={`instance-row-${i.name}`}>
              <Td>
                <Link href={`/instances/${i.id}`} className="font-medium text-brand-700 hover:underline">
                  {i.name}
                </Link>
              </Td>
              <Td className="font-mono">
                {i.version}
                {i.pinnedVersion ? <span className="ml-2 text-xs text-slate-500">pinned {i.pinnedVersion}</span> : null}
              </Td>
              <Td>{CHANNEL_LABELS[i.updateChannel]}</Td>
              <Td>
                <Badge tone={statusTone(i.status)}>{i.status.replace("_", " ")}</Badge>
                {i.attention ? (
                  <span className="ml-2" title={i.attention.reason}>
                    <Badge tone="red">needs attention</Badge>
                  </span>
                ) : null}
              </Td>
              <Td>{i.maintenanceMode ? <Badge tone="yellow">on</Badge> : <span className="text-slate-500">off</span>}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
      <Pagination basePath={basePath} query={query} info={data.page} noun={["instance", "instances"]} label="Instance pages" />
    </div>
  );
}
