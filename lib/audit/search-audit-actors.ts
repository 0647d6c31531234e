import "server-only";
import { getDb } from "@/lib/db";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import type { AuditActorSearch } from "@/lib/audit/schemas";

// The `actor` filter matches an exact id or label; this finds the labels to pick from. Labels are
// few (one per user, token and system task) however many entries there are, so a skip scan of the
// label index visits each distinct label once (one index probe each) and never the entries. The
// walk stops at `limit` matches, and after MAX_LABELS_WALKED labels: `complete` says whether it
// saw them all.
const MAX_LABELS_WALKED = 5000;

export async function searchAuditActors(opts: { actor: Actor | null; search: AuditActorSearch }): Promise<{ actors: { label: string }[]; complete: boolean }> {
  requirePermission(opts.actor, "audit:read");
  const { q, limit } = opts.search;
  // The walk's last label is kept as a sentinel: reaching it means the walk was cut short.
  const rows = await getDb().$queryRaw<{ label: string; hit: boolean; n: number }[]>`
    WITH RECURSIVE walk(label, n) AS (
      (SELECT actor_label, 1 FROM audit_logs WHERE actor_label IS NOT NULL ORDER BY actor_label LIMIT 1)
      UNION ALL
      SELECT (SELECT a.actor_label FROM audit_logs a WHERE a.actor_label > w.label ORDER BY a.actor_label LIMIT 1), w.n + 1
        FROM walk w WHERE w.label IS NOT NULL AND w.n < ${MAX_LABELS_WALKED})
    SELECT label, strpos(lower(label), lower(${q})) > 0 AS hit, n FROM walk
     WHERE label IS NOT NULL AND (strpos(lower(label), lower(${q})) > 0 OR n = ${MAX_LABELS_WALKED})
     LIMIT ${limit + 1}`;
  const matches = rows.filter((r) => r.hit);
  const cut = rows.some((r) => r.n === MAX_LABELS_WALKED) || matches.length > limit;
  return { actors: matches.slice(0, limit).map((r) => ({ label: r.label })), complete: !cut };
}
