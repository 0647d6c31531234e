import "server-only";
import { getDb } from "@/lib/db";
import type { AuditFilter } from "@/lib/audit/schemas";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { readAuditPage, type AuditRow } from "@/lib/audit/audit-query";

export type AuditQuery = Partial<Omit<AuditFilter, "limit">> & { limit: number };

export type AuditEntry = {
  id: string;
  createdAt: string;
  actor: { type: string; id: string | null; label: string | null };
  action: string;
  resource: { type: string; id: string | null };
  result: string;
  metadata: unknown;
  ip: string | null;
  hash: string;
};

export function toAuditEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id.toString(),
    createdAt: r.createdAt.toISOString(),
    actor: { type: r.actorType, id: r.actorId, label: r.actorLabel },
    action: r.action,
    resource: { type: r.resourceType, id: r.resourceId },
    result: r.result,
    metadata: r.metadata,
    ip: r.ip,
    hash: r.hash,
  };
}

// Newest first (by time, then id), keyset-paginated: the cursor is the id of a page's last entry,
// and the next page starts after it, so pages stay stable while entries are appended.
export async function listAuditLogs(opts: { actor: Actor | null; filter: AuditQuery }): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
  requirePermission(opts.actor, "audit:read");
  const { cursor, limit, ...filter } = opts.filter;
  const rows = await readAuditPage(getDb(), filter, cursor ? { id: BigInt(cursor) } : null, limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { entries: page.map(toAuditEntry), nextCursor: rows.length > limit && last ? last.id.toString() : null };
}
