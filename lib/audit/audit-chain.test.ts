import { afterAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { getDb } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record-audit";
import { verifyAuditChain } from "@/lib/audit/verify-audit-chain";
import { canonicalJson, entryHashV2, GENESIS_HASH } from "@/lib/audit/hash";
import { OWNER_DATABASE_URL } from "@/test/support/env";
import { withPgClient } from "@/scripts/lib/ensure-database";

const system = { type: "system" as const, label: "audit test" };

// As the owner: the app role may not even try what these tests do behind the app's back.
const withClient = <T>(fn: (c: pg.Client) => Promise<T>) => withPgClient(OWNER_DATABASE_URL, fn);

describe("audit hash chain", () => {
  afterAll(async () => {
    await getDb().$disconnect();
  });

  it("canonical JSON ignores key order", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { y: 2, z: 1 }] }, b: 1 }));
  });

  it("links each entry to the one before, from the genesis hash", async () => {
    const db = getDb();
    const a = await db.$transaction((tx) => recordAudit(tx, system, { action: "test.chain.first", resourceType: "test", resourceId: "1", metadata: { n: 1 } }));
    const b = await db.$transaction((tx) => recordAudit(tx, system, { action: "test.chain.second", resourceType: "test", resourceId: "2", metadata: { n: 2 } }));
    const rowA = await db.auditLog.findUniqueOrThrow({ where: { id: a.id } });
    const rowB = await db.auditLog.findUniqueOrThrow({ where: { id: b.id } });
    expect(rowB.seq).toBe(rowA.seq! + 1n);
    expect(rowB.prevHash).toBe(rowA.hash);
    const first = await db.auditLog.findFirstOrThrow({ orderBy: { seq: "asc" } });
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });

  it("keeps one unbroken chain under concurrent writers", async () => {
    const db = getDb();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => db.$transaction((tx) => recordAudit(tx, system, { action: "test.chain.concurrent", resourceType: "test", resourceId: String(i) }))),
    );
    const verdict = await verifyAuditChain();
    expect(verdict).toMatchObject({ ok: true });
  });

  it("links several entries of one transaction in the order they were written", async () => {
    const db = getDb();
    const ids = await db.$transaction(async (tx) => {
      const out: bigint[] = [];
      for (let i = 0; i < 3; i++) out.push((await recordAudit(tx, system, { action: "test.chain.batch", resourceType: "test", resourceId: String(i) })).id);
      // Pending until COMMIT: no lock is held yet, and the entry has no place in the chain.
      const pending = await tx.auditLog.findUniqueOrThrow({ where: { id: out[0] } });
      expect(pending.seq).toBeNull();
      return out;
    });
    const rows = await db.auditLog.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } });
    expect(rows.map((r) => r.seq! - rows[0]!.seq!)).toEqual([0n, 1n, 2n]);
    expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });

  it("links a transaction's many entries in one go, in order, and any written after an early link", async () => {
    const db = getDb();
    const { first, late } = await db.$transaction(async (tx) => {
      const insert = (n: number) =>
        tx.$queryRaw<{ id: bigint }[]>`
          INSERT INTO audit_logs (created_at, actor_type, actor_label, action, resource_type, resource_id, result, metadata, prev_hash, hash)
          SELECT now(), 'system', 'audit test', 'test.chain.bulk', 'test', g::text, 'success', jsonb_build_object('g', g), '', ''
            FROM generate_series(1, ${n}::int) AS g RETURNING id`;
      const first = await insert(500);
      // Linked now, mid-transaction; the entries written after it are linked at COMMIT.
      await tx.$executeRaw`SET CONSTRAINTS ALL IMMEDIATE`;
      const linked = await tx.auditLog.count({ where: { id: { in: first.map((r) => r.id) }, seq: { not: null } } });
      expect(linked).toBe(500);
      const late = await insert(3);
      return { first, late };
    });
    const ids = [...first, ...late].map((r) => r.id);
    const rows = await db.auditLog.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } });
    // Consecutive, in the order written: the lock taken at the early link is held to the commit.
    expect(rows.map((r) => r.seq! - rows[0]!.seq!)).toEqual(ids.map((_, i) => BigInt(i)));
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect((await db.$queryRaw<{ seq: bigint; hash: string }[]>`SELECT seq, hash FROM audit_chain.head`)[0]).toEqual({ seq: rows.at(-1)!.seq, hash: rows.at(-1)!.hash });
    expect(await withClient(async (c) => (await c.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_chain.pending")).rows[0]?.n)).toBe(0);
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });

  it("the database hashes an entry as lib/audit/hash.ts does, awkward values included", async () => {
    const db = getDb();
    const metadata = {
      numbers: [0, -1, 0.1, 1 / 3, -2.5e-10, 1e-7, 1e-6, 123.456, 1e15, 1e16, 1e20, 1e21, 2 ** 53 + 2, 1.7976931348623157e308, 5e-324, 4.35, 0.000001234],
      strings: ['quote " backslash \\ slash /', "tab\t newline\n cr\r \b \f \u0001 \u001f \u007f", "é ü 中文 😀 \u2028", ""],
      nested: { z: [{ b: null, a: true }], y: false, "": "empty key" },
      // JavaScript sorts keys by UTF-16 code unit: U+FF5E sorts after the surrogates of 😀.
      "\uff5e": 1,
      "😀": 2,
      B: 3,
      a: 4,
      "10": 5,
      "9": 6,
    };
    const { id } = await db.$transaction((tx) => recordAudit(tx, { type: "user", userId: "u-1", email: "z@example.com", name: "Zoë \"Z\" <z>", role: "viewer", ip: "::1" }, { action: "test.chain.awkward", resourceType: "test \"quoted\"", resourceId: null, result: "denied", metadata }));
    const row = await db.auditLog.findUniqueOrThrow({ where: { id } });
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.hashVersion).toBe(2);
    const [stored] = await db.$queryRaw<{ text: string }[]>`SELECT metadata::text AS text FROM audit_logs WHERE id = ${id}`;
    expect(entryHashV2(row.prevHash, { ...row, seq: row.seq!, metadataText: stored!.text })).toBe(row.hash);
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });

  it("an entry rolls back with the change it records", async () => {
    const db = getDb();
    const before = await db.auditLog.count();
    await expect(
      db.$transaction(async (tx) => {
        await recordAudit(tx, system, { action: "test.chain.rolled_back", resourceType: "test" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await db.auditLog.count()).toBe(before);
  });

  it("the database refuses UPDATE, DELETE and TRUNCATE, even to the table's owner", async () => {
    await withClient(async (c) => {
      await expect(c.query("UPDATE audit_logs SET action = 'tampered' WHERE id = (SELECT max(id) FROM audit_logs)")).rejects.toThrow(/append-only/);
      await expect(c.query("DELETE FROM audit_logs WHERE id = (SELECT max(id) FROM audit_logs)")).rejects.toThrow(/append-only/);
      await expect(c.query("TRUNCATE audit_logs")).rejects.toThrow(/append-only/);
    });
  });

  it("verification finds a row altered behind the trigger's back", async () => {
    const db = getDb();
    const victim = await db.$transaction((tx) => recordAudit(tx, system, { action: "test.chain.victim", resourceType: "test", metadata: { amount: 10 } }));
    await db.$transaction((tx) => recordAudit(tx, system, { action: "test.chain.after_victim", resourceType: "test" }));
    expect(await verifyAuditChain()).toMatchObject({ ok: true });

    // A superuser can bypass triggers (replication role); the hash chain still tells.
    await withClient(async (c) => {
      await c.query("BEGIN");
      await c.query("SET LOCAL session_replication_role = replica");
      await c.query(`UPDATE audit_logs SET metadata = '{"amount": 1000}' WHERE id = $1`, [victim.id.toString()]);
      await c.query("COMMIT");
    });
    const verdict = await verifyAuditChain();
    expect(verdict).toMatchObject({ ok: false, brokenAtId: victim.id.toString() });

    // Put it back so the rest of the suite sees an intact chain.
    await withClient(async (c) => {
      await c.query("BEGIN");
      await c.query("SET LOCAL session_replication_role = replica");
      await c.query(`UPDATE audit_logs SET metadata = '{"amount": 10}' WHERE id = $1`, [victim.id.toString()]);
      await c.query("COMMIT");
    });
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });
});
