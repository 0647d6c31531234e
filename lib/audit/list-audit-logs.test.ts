// Every filter of the audit list returns exactly the entries a plain SQL query finds, in the same
// order (newest first by time, then id), across pages of the keyset cursor. The entries are written
// in 1999 with their times scrambled against their ids, ties included, so that neither id order nor
// a sloppy keyset can pass for the right one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDb } from "@/test/support/db";
import { getDb } from "@/lib/db";
import { listAuditLogs, type AuditQuery } from "@/lib/audit/list-audit-logs";
import { findPrefixedActions } from "@/lib/audit/audit-query";

const system = { type: "system" as const, label: "list test" };
const FROM = new Date("1999-01-01T00:00:00.000Z");
const TO = new Date("1999-12-31T23:59:59.999Z");

// 240 entries through the real triggers (so the chain stays valid for the rest of the suite).
const SEED = `
INSERT INTO audit_logs (created_at, actor_type, actor_id, actor_label, action, resource_type, resource_id, result, metadata, ip, prev_hash, hash)
SELECT '1999-01-01T00:00:00Z'::timestamptz + ((n * 37) % 120) * interval '1 minute',
       'user',
       CASE WHEN n % 7 IN (0, 2) THEN 'qa-carol' WHEN n % 7 = 1 THEN 'u-9' ELSE 'qa-u' || (n % 3) END,
       CASE WHEN n % 7 = 0 THEN 'Carol <qa-carol@x.test>' WHEN n % 7 IN (1, 2) THEN 'qa-carol' ELSE 'qa-u' || (n % 3) || '@x.test' END,
       CASE WHEN n % 13 = 5 THEN 'qa.alphaZ' WHEN n % 4 = 0 THEN 'qa.alpha.one' WHEN n % 4 = 1 THEN 'qa.alpha.two' WHEN n % 4 = 2 THEN 'qa.alpha_x' ELSE 'qa.beta' END,
       CASE WHEN n % 3 = 1 THEN 'qa_other' ELSE 'qa_res' END,
       'qa-r' || (n % 6),
       (CASE WHEN n % 9 = 0 THEN 'denied' WHEN n % 9 = 1 THEN 'failure' ELSE 'success' END)::"AuditResult",
       jsonb_build_object('n', n), NULL, '', ''
  FROM generate_series(1, 240) AS n`;

// 70 actions under one prefix: more than the list branches on, so it filters instead.
const MANY = `
INSERT INTO audit_logs (created_at, actor_type, actor_id, actor_label, action, resource_type, resource_id, result, metadata, ip, prev_hash, hash)
SELECT '1999-06-01T00:00:00Z'::timestamptz + ((n * 11) % 50) * interval '1 second', 'system', NULL, 'qa-many', 'qa.many.a' || lpad((n % 70)::text, 2, '0'),
       'qa_many', NULL, 'success', '{}', NULL, '', ''
  FROM generate_series(1, 140) AS n`;

async function oracle(where: string, params: unknown[] = []): Promise<string[]> {
  // Ordered by the bigint, not by its text.
  const rows = await testDb().$queryRawUnsafe<{ ref: string }[]>(`SELECT id::text AS ref FROM audit_logs WHERE ${where} ORDER BY created_at DESC, id DESC`, ...params);
  return rows.map((r) => r.ref);
}

/** Every page of the filter, `limit` at a time, following nextCursor. */
async function walk(filter: Omit<AuditQuery, "limit" | "cursor">, limit = 7): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const res = await listAuditLogs({ actor: system, filter: { ...filter, limit, ...(cursor ? { cursor } : {}) } });
    ids.push(...res.entries.map((e) => e.id));
    if (res.entries.length > limit) throw new Error("page too long");
    if (!res.nextCursor) return ids;
    expect(res.entries).toHaveLength(limit);
    cursor = res.nextCursor;
  }
  throw new Error("too many pages");
}

const YEAR = "created_at BETWEEN '1999-01-01T00:00:00Z' AND '1999-12-31T23:59:59.999Z'";

beforeAll(async () => {
  await testDb().$executeRawUnsafe(SEED);
  await testDb().$executeRawUnsafe(MANY);
}, 60_000);

afterAll(async () => {
  await getDb().$disconnect();
});

describe("the audit list's filters, across pages", () => {
  const cases: [string, Omit<AuditQuery, "limit" | "cursor">, string, unknown[]?][] = [
    ["a time range only", { from: FROM, to: TO }, YEAR],
    ["actor: an id, also the label of other entries, and both of one", { actor: "qa-carol" }, "(actor_id = 'qa-carol' OR actor_label = 'qa-carol')"],
    ["actor: a label only", { actor: "Carol <qa-carol@x.test>" }, "actor_label = 'Carol <qa-carol@x.test>'"],
    ["actor: an id only", { actor: "qa-u1" }, "actor_id = 'qa-u1'"],
    ["actor: no substring match", { actor: "carol" }, "false"],
    ["an exact action", { action: "qa.alpha.one" }, "action = 'qa.alpha.one'"],
    ["an action prefix", { action: "qa.alpha.*" }, "left(action, 9) = 'qa.alpha.'"],
    ["a prefix with a LIKE wildcard in it", { action: "qa.alpha_*" }, "left(action, 9) = 'qa.alpha_'"],
    ["a prefix over four actions, one branch each", { action: "qa.alpha*" }, "left(action, 8) = 'qa.alpha'"],
    ["a prefix over more actions than it branches on, with a time bound", { action: "qa.*", to: TO }, "left(action, 3) = 'qa.' AND created_at <= '1999-12-31T23:59:59.999Z'"],
    ["a prefix over more actions than it branches on", { action: "qa.many.*" }, "left(action, 8) = 'qa.many.'"],
    ["a prefix no action has", { action: "qa.nothing.*" }, "false"],
    ["a resource type", { resourceType: "qa_res" }, "resource_type = 'qa_res'"],
    ["a resource id alone (two types share it)", { resourceId: "qa-r1" }, "resource_id = 'qa-r1'"],
    ["a resource type and id", { resourceType: "qa_res", resourceId: "qa-r1" }, "resource_type = 'qa_res' AND resource_id = 'qa-r1'"],
    ["a result in a time range", { result: "denied", from: FROM, to: TO }, `result = 'denied' AND ${YEAR}`],
    ["to alone, at an entry's exact time (inclusive)", { to: new Date("1999-01-01T00:40:00.000Z") }, "created_at <= '1999-01-01T00:40:00Z'"],
    ["from and to around a few minutes", { from: new Date("1999-01-01T00:10:00.000Z"), to: new Date("1999-01-01T00:20:00.000Z") }, "created_at BETWEEN '1999-01-01T00:10:00Z' AND '1999-01-01T00:20:00Z'"],
    ["actor and a prefix", { actor: "qa-carol", action: "qa.alpha.*" }, "(actor_id = 'qa-carol' OR actor_label = 'qa-carol') AND left(action, 9) = 'qa.alpha.'"],
    ["actor and a time range", { actor: "qa-carol", from: new Date("1999-01-01T00:30:00Z"), to: new Date("1999-01-01T01:30:00Z") }, "(actor_id = 'qa-carol' OR actor_label = 'qa-carol') AND created_at BETWEEN '1999-01-01T00:30:00Z' AND '1999-01-01T01:30:00Z'"],
    ["resource id and a prefix", { resourceId: "qa-r1", action: "qa.alpha.*" }, "resource_id = 'qa-r1' AND left(action, 9) = 'qa.alpha.'"],
    ["prefix, type and result", { action: "qa.alpha.*", resourceType: "qa_res", result: "success" }, "left(action, 9) = 'qa.alpha.' AND resource_type = 'qa_res' AND result = 'success'"],
    ["actor, action, type, id, result and time", { actor: "qa-carol", action: "qa.beta", resourceType: "qa_res", resourceId: "qa-r3", result: "success", from: FROM, to: TO }, `(actor_id = 'qa-carol' OR actor_label = 'qa-carol') AND action = 'qa.beta' AND resource_type = 'qa_res' AND resource_id = 'qa-r3' AND result = 'success' AND ${YEAR}`],
  ];

  it.each(cases)("%s", async (_name, filter, where) => {
    const expected = await oracle(where);
    expect(await walk(filter)).toEqual(expected);
    // One big page gives the same entries.
    expect(await walk(filter, 500)).toEqual(expected);
  });

  it("the data is what the cases need: scrambled times, ties, and all the actor shapes", async () => {
    const rows = await testDb().$queryRawUnsafe<{ ties: number; inversions: number; both: number }[]>(
      `SELECT (SELECT count(*)::int FROM (SELECT created_at FROM audit_logs WHERE ${YEAR} GROUP BY created_at HAVING count(*) > 1) t) AS ties,
              (SELECT count(*)::int FROM audit_logs a JOIN audit_logs b ON b.id = a.id + 1 WHERE a.resource_type = 'qa_res' AND b.resource_type LIKE 'qa_%' AND b.created_at < a.created_at) AS inversions,
              (SELECT count(*)::int FROM audit_logs WHERE actor_id = 'qa-carol' AND actor_label = 'qa-carol') AS both`,
    );
    expect(rows[0]!.ties).toBeGreaterThan(10);
    expect(rows[0]!.inversions).toBeGreaterThan(10);
    expect(rows[0]!.both).toBeGreaterThan(10);
    expect((await oracle("left(action, 8) = 'qa.many.'")).length).toBe(140);
  });

  it("branches on a prefix's actions, found by a skip scan, and gives up past 64", async () => {
    expect(await findPrefixedActions(getDb(), "qa.alpha.")).toEqual(["qa.alpha.one", "qa.alpha.two"]);
    expect(await findPrefixedActions(getDb(), "qa.alpha_")).toEqual(["qa.alpha_x"]);
    expect((await findPrefixedActions(getDb(), "qa.alpha"))?.sort()).toEqual(["qa.alpha.one", "qa.alpha.two", "qa.alphaZ", "qa.alpha_x"].sort());
    expect(await findPrefixedActions(getDb(), "qa.many.")).toBeNull();
    expect(await findPrefixedActions(getDb(), "qa.nothing.")).toEqual([]);
  });

  it("a cursor that names no entry starts from the top", async () => {
    const first = await listAuditLogs({ actor: system, filter: { from: FROM, to: TO, limit: 5 } });
    const unknown = await listAuditLogs({ actor: system, filter: { from: FROM, to: TO, limit: 5, cursor: "9223372036854775807" } });
    expect(unknown.entries.map((e) => e.id)).toEqual(first.entries.map((e) => e.id));
  });

  it("answers the entry's fields as before", async () => {
    const [row] = await testDb().$queryRawUnsafe<{ id: bigint }[]>(`SELECT id FROM audit_logs WHERE actor_label = 'Carol <qa-carol@x.test>' ORDER BY created_at DESC, id DESC LIMIT 1`);
    const db = await testDb().auditLog.findUniqueOrThrow({ where: { id: row!.id } });
    const { entries } = await listAuditLogs({ actor: system, filter: { actor: "Carol <qa-carol@x.test>", limit: 1 } });
    expect(entries[0]).toEqual({
      id: db.id.toString(),
      createdAt: db.createdAt.toISOString(),
      actor: { type: "user", id: "qa-carol", label: "Carol <qa-carol@x.test>" },
      action: db.action,
      resource: { type: db.resourceType, id: db.resourceId },
      result: db.result,
      metadata: db.metadata,
      ip: null,
      hash: db.hash,
    });
  });
});
