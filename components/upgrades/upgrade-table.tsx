import Link from "next/link";
import type { UpgradeSummary } from "@/lib/upgrades/list-upgrades";
import { Badge, statusTone } from "@/components/ui/badge";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";

export function UpgradeTable({ runs }: { runs: UpgradeSummary[] }) {
  return (
    <Table caption="Upgrade runs">
      <thead>
        <tr>
          <Th>Instance</Th>
          <Th>Change</Th>
          <Th>Kind</Th>
          <Th>Status</Th>
          <Th>Requested by</Th>
          <Th>Created</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {runs.map((r) => (
          <tr key={r.id}>
            <Td>
              <Link href={`/upgrades/${r.id}`} className="font-medium text-brand-700 hover:underline">
                {r.instanceName}
              </Link>
            </Td>
            <Td className="font-mono">
              {r.fromVersion} → {r.toVersion}
            </Td>
            <Td>{r.kind.replace("_", " ")}</Td>
            <Td>
              <span className="inline-flex flex-wrap gap-1">
                <Badge tone={statusTone(r.status)}>{r.status.replace("_", " ")}</Badge>
                {r.urgent && ["pending_approval", "scheduled", "approved"].includes(r.status) ? <Badge tone="red">urgent</Badge> : null}
              </span>
            </Td>
            <Td>{r.requestedBy ?? r.trigger.replace("_", " ")}</Td>
            <Td className="whitespace-nowrap">
              <Time value={r.createdAt} />
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
