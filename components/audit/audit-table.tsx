import type { AuditEntry } from "@/lib/audit/list-audit-logs";
import { Badge, statusTone } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/card";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";

function summary(metadata: unknown): string {
  if (!metadata || typeof metadata !== "object") return "";
  const text = JSON.stringify(metadata);
  return text === "{}" ? "" : text.length > 160 ? text.slice(0, 157) + "…" : text;
}

export function AuditTable({ entries, compact = false }: { entries: AuditEntry[]; compact?: boolean }) {
  if (entries.length === 0) return <EmptyState title="No audit entries match">Change the filters, or act on something: every change is recorded here.</EmptyState>;
  return (
    <Table caption="Audit entries">
      <thead>
        <tr>
          <Th>Time</Th>
          <Th>Actor</Th>
          <Th>Action</Th>
          {compact ? null : <Th>Resource</Th>}
          <Th>Result</Th>
          <Th>Details</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {entries.map((e) => (
          <tr key={e.id} data-testid="audit-row">
            <Td className="whitespace-nowrap">
              <Time value={e.createdAt} />
            </Td>
            <Td>{e.actor.label ?? e.actor.type}</Td>
            <Td className="font-mono text-xs">{e.action}</Td>
            {compact ? null : (
              <Td className="text-xs">
                {e.resource.type}
                {e.resource.id ? <span className="block font-mono text-slate-500">{e.resource.id}</span> : null}
              </Td>
            )}
            <Td>
              <Badge tone={statusTone(e.result)}>{e.result}</Badge>
            </Td>
            <Td className="max-w-md font-mono text-xs break-all text-slate-600">{summary(e.metadata)}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
