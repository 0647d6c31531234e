import "server-only";
import { Prisma } from "@/generated/prisma/client";
import type { Db } from "@/lib/db";
import type { AuditFilter } from "@/lib/audit/schemas";
import type { HashedFields } from "@/lib/audit/hash";

// The one query behind the audit list, its pages and the CSV export.
//
// Entries are listed newest first by (created_at, id). Every filter is an equality (or a time
// range) with an index ending in (created_at, id) (prisma/schema.prisma), so a page is a range
// scan of one index from the cursor's position: no sort, and no scan past entries that do not
// match. Two filters need more than one index, and become a UNION ALL of ordered branches, each
// cut at the page size, merged by the outer ORDER BY:
// - `actor` matches the exact actor id or the exact label: one branch per column;
// - an action prefix (`instance.upgrade.*`) becomes one branch per action with that prefix,
//   found by a skip scan of the action index (a handful of index probes).

export type AuditFilterValues = Partial<Omit<AuditFilter, "limit" | "cursor">>;

/** Where a page starts: after the entry `id` (its time is looked up), or after (createdAt, id). */
export type AuditKeyset = { id: bigint; createdAt?: Date };

/** An entry as the list reads it: the hashed fields, with its id and hash. */
export type AuditRow = HashedFields & { id: bigint; hash: string };

const COLUMNS = Prisma.sql`id, created_at AS "createdAt", actor_type::text AS "actorType", actor_id AS "actorId",
  actor_label AS "actorLabel", action, resource_type AS "resourceType", resource_id AS "resourceId",
  result::text AS result, metadata, ip, hash`;

// Past this many actions under one prefix, a branch each costs more than it saves.
const MAX_PREFIX_BRANCHES = 64;
// The skip scan gives up after this many distinct actions (the console writes a few dozen).
const MAX_ACTIONS_WALKED = 2000;

/** `instance.upgrade.*` → `instance.upgrade.`; an exact action → null. */
export function actionPrefix(action: string | undefined): string | null {
  return action?.endsWith("*") ? action.slice(0, -1) : null;
}

/**
 * The distinct actions that start with `prefix`, by a skip scan of the action index; null when
 * there are too many to branch on (the caller then filters instead).
 */
export async function findPrefixedActions(db: Db, prefix: string): Promise<string[] | null> {
  const [row] = await db.$queryRaw<{ matches: string[] | null; walked: number }[]>`
    WITH RECURSIVE walk(action, n) AS (
      (SELECT action, 1 FROM audit_logs ORDER BY action LIMIT 1)
      UNION ALL
      SELECT (SELECT a.action FROM audit_logs a WHERE a.action > w.action ORDER BY a.action LIMIT 1), w.n + 1
        FROM walk w WHERE w.action IS NOT NULL AND w.n < ${MAX_ACTIONS_WALKED})
    SELECT array_agg(action ORDER BY action) FILTER (WHERE starts_with(action, ${prefix})) AS matches,
           count(action)::int AS walked
      FROM walk`;
  const matches = row?.matches ?? [];
  if ((row?.walked ?? 0) >= MAX_ACTIONS_WALKED || matches.length > MAX_PREFIX_BRANCHES) return null;
  return matches;
}

function conditions(f: AuditFilterValues, prefix: string | null, branchOnPrefix: boolean): Prisma.Sql[] {
  const c: Prisma.Sql[] = [];
  if (f.action && prefix === null) c.push(Prisma.sql`action = ${f.action}`);
  if (prefix !== null && prefix !== "" && !branchOnPrefix) c.push(Prisma.sql`starts_with(action, ${prefix})`);
  if (f.resourceType) c.push(Prisma.sql`resource_type = ${f.resourceType}`);
  if (f.resourceId) c.push(Prisma.sql`resource_id = ${f.resourceId}`);
  if (f.result) c.push(Prisma.sql`result = ${f.result}::"AuditResult"`);
  if (f.from) c.push(Prisma.sql`created_at >= ${f.from}::timestamptz`);
  if (f.to) c.push(Prisma.sql`created_at <= ${f.to}::timestamptz`);
  return c;
}

function keysetCondition(after: AuditKeyset | null): Prisma.Sql | null {
  if (!after) return null;
  if (after.createdAt) return Prisma.sql`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id})`;
  // A cursor names an entry; one that names none (it was never issued) starts from the top.
  return Prisma.sql`(created_at, id) < (coalesce((SELECT c.created_at FROM audit_logs c WHERE c.id = ${after.id}), 'infinity'::timestamptz), ${after.id})`;
}

/**
 * One page: at most `take` matching entries after `after` (all of them for null), newest first.
 * `prefixActions` is what findPrefixedActions gave for the filter's action prefix (undefined:
 * not looked up).
 */
export function auditPageSql(f: AuditFilterValues, after: AuditKeyset | null, take: number | null, prefixActions?: string[] | null): Prisma.Sql {
  const prefix = actionPrefix(f.action);
  // Branch on the prefix only where no selective filter drives the scan already.
  const branchOnPrefix = prefix !== null && prefix !== "" && !f.actor && !f.resourceId && Array.isArray(prefixActions);
  const shared = conditions(f, prefix, branchOnPrefix);
  const keyset = keysetCondition(after);
  if (keyset) shared.push(keyset);

  let drivers: Prisma.Sql[] | null = null;
  if (f.actor) drivers = [Prisma.sql`actor_id = ${f.actor}`, Prisma.sql`actor_label = ${f.actor} AND actor_id IS DISTINCT FROM ${f.actor}`];
  else if (branchOnPrefix) drivers = (prefixActions ?? []).map((a) => Prisma.sql`action = ${a}`);
  if (drivers !== null && drivers.length === 0) return Prisma.sql`SELECT ${COLUMNS} FROM audit_logs WHERE false`;

  const limit = take === null ? Prisma.empty : Prisma.sql`LIMIT ${take}`;
  const branch = (driver: Prisma.Sql | null) => {
    const all = driver ? [driver, ...shared] : shared;
    const where = all.length ? Prisma.sql`WHERE ${Prisma.join(all, " AND ")}` : Prisma.empty;
    return Prisma.sql`SELECT ${COLUMNS} FROM audit_logs ${where} ORDER BY created_at DESC, id DESC ${limit}`;
  };
  if (drivers === null) return branch(null);
  if (drivers.length === 1) return branch(drivers[0] ?? null);
  const union = Prisma.join(drivers.map((d) => Prisma.sql`(${branch(d)})`), " UNION ALL ");
  return Prisma.sql`SELECT * FROM (${union}) AS u ORDER BY "createdAt" DESC, id DESC ${limit}`;
}

/** Reads one page of rows for the filter (looking up an action prefix's actions first). */
export async function readAuditPage(db: Db, f: AuditFilterValues, after: AuditKeyset | null, take: number, prefixActions?: string[] | null): Promise<AuditRow[]> {
  const prefix = actionPrefix(f.action);
  const actions = prefixActions !== undefined || prefix === null || prefix === "" || f.actor || f.resourceId ? prefixActions : await findPrefixedActions(db, prefix);
  return db.$queryRaw<AuditRow[]>(auditPageSql(f, after, take, actions));
}
