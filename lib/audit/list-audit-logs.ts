import "server-only";
import { getDb } from "@/lib/db";
import type { Prisma } from "@/generated/prisma/client";
import type { AuditFilter } from "@/lib/audit/schemas";
import { requirePermission, type Actor } from "@/lib/auth/actor";

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

function toWhere(f: AuditQuery): Prisma.AuditLogWhereInput {
  const where: Prisma.AuditLogWhereInput = {};
  if (f.actor) {
    where.OR = [{ actorId: f.actor }, { actorLabel: { contains: f.actor, mode: "insensitive" } }];
  }
  if (f.action) where.action = f.action.endsWith("*") ? { startsWith: f.action.slice(0, -1) } : f.action;
  if (f.resourceType) where.resourceType = f.resourceType;
  if (f.resourceId) where.resourceId = f.resourceId;
  if (f.result) where.result = f.result;
  if (f.from || f.to) where.createdAt = { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) };
  return where;
}

// Newest first, keyset-paginated on the id so pages stay stable while entries are appended.
export async function listAuditLogs(opts: { actor: Actor | null; filter: AuditQuery }): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
  requirePermission(opts.actor, "audit:read");
  const f = opts.filter;
  const where = toWhere(f);
  if (f.cursor) where.id = { lt: BigInt(f.cursor) };
  const rows = await getDb().auditLog.findMany({ where, orderBy: { id: "desc" }, take: f.limit + 1 });
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return {
    entries: page.map((r) => ({
      id: r.id.toString(),
      createdAt: r.createdAt.toISOString(),
      actor: { type: r.actorType, id: r.actorId, label: r.actorLabel },
      action: r.action,
      resource: { type: r.resourceType, id: r.resourceId },
      result: r.result,
      metadata: r.metadata,
      ip: r.ip,
      hash: r.hash,
    })),
    nextCursor: rows.length > f.limit && last ? last.id.toString() : null,
  };
}

const CSV_COLUMNS = ["id", "createdAt", "actorType", "actorId", "actorLabel", "action", "resourceType", "resourceId", "result", "ip", "metadata", "hash"] as const;

function csvCell(value: string): string {
  // Quote always; neutralise cells a spreadsheet would run as a formula.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

// Streams every matching entry (all pages) as CSV.
export async function* exportAuditCsv(actor: Actor | null, f: Omit<AuditQuery, "cursor" | "limit">): AsyncGenerator<string> {
  requirePermission(actor, "audit:read");
  yield CSV_COLUMNS.join(",") + "\r\n";
  let cursor: string | undefined;
  for (;;) {
    const { entries, nextCursor } = await listAuditLogs({ actor, filter: { ...f, cursor, limit: 500 } });
    for (const e of entries) {
      const cells = [e.id, e.createdAt, e.actor.type, e.actor.id ?? "", e.actor.label ?? "", e.action, e.resource.type, e.resource.id ?? "", e.result, e.ip ?? "", JSON.stringify(e.metadata), e.hash];
      yield cells.map(csvCell).join(",") + "\r\n";
    }
    if (!nextCursor) return;
    cursor = nextCursor;
  }
}
