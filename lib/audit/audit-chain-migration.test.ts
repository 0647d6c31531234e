// Entries written before the chain was linked at commit (hash version 1, computed in TypeScript)
// must still verify after the migration, and new entries must continue the same chain.
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { deployMigrations } from "@/scripts/db/deploy";
import { dropDatabase, ensureDatabase, withPgClient } from "@/scripts/lib/ensure-database";
import { entryHash, GENESIS_HASH } from "@/lib/audit/hash";
import { recordAudit } from "@/lib/audit/record-audit";
import { verifyAuditChain } from "@/lib/audit/verify-audit-chain";
import { ADMIN_DATABASE_URL } from "@/test/support/env";

const LINKED_AT_COMMIT = "20261202143817_audit_chain_at_commit";
const name = `audit_migration_${process.pid}`;
const url = (() => {
  const u = new URL(ADMIN_DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
})();
const before = mkdtempSync(path.join(tmpdir(), "migrations-"));

describe("the migration to commit-time linking", () => {
  afterAll(async () => {
    rmSync(before, { recursive: true, force: true });
    await dropDatabase(ADMIN_DATABASE_URL, name);
  });

  it("keeps a chain written the old way verifiable, and continues it", async () => {
    for (const m of readdirSync("prisma/migrations")) {
      if (m < LINKED_AT_COMMIT && !m.endsWith(".toml")) cpSync(path.join("prisma/migrations", m), path.join(before, m), { recursive: true });
    }
    await ensureDatabase(ADMIN_DATABASE_URL, name);
    await deployMigrations(url, { migrationsDir: before });

    // Three entries as the old recordAudit() wrote them: hashed in TypeScript, in id order.
    let prevHash = GENESIS_HASH;
    await withPgClient(url, async (c) => {
      for (let i = 0; i < 3; i++) {
        const e = { createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)), actorType: "system", actorId: null, actorLabel: "old writer", action: "test.old", resourceType: "test", resourceId: String(i), result: "success", metadata: { i, ratio: 1 / 3, note: "é\n" }, ip: null };
        const hash = entryHash(prevHash, e);
        await c.query(
          `INSERT INTO audit_logs (created_at, actor_type, actor_id, actor_label, action, resource_type, resource_id, result, metadata, ip, prev_hash, hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [e.createdAt, e.actorType, e.actorId, e.actorLabel, e.action, e.resourceType, e.resourceId, e.result, JSON.stringify(e.metadata), e.ip, prevHash, hash],
        );
        prevHash = hash;
      }
    });

    await deployMigrations(url);
    const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
    try {
      // The checkpoint starts at the head of the chain the migration found.
      expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 3, lastHash: prevHash, checkpoint: { seq: 3, hash: prevHash } });
      const old = await db.auditLog.findMany({ orderBy: { id: "asc" } });
      expect(old.map((r) => [r.seq, r.hashVersion])).toEqual([[1n, 1], [2n, 1], [3n, 1]]);

      const { id } = await db.$transaction((tx) => recordAudit(tx, { type: "system", label: "new writer" }, { action: "test.new", resourceType: "test" }));
      const fresh = await db.auditLog.findUniqueOrThrow({ where: { id } });
      expect(fresh).toMatchObject({ seq: 4n, prevHash, hashVersion: 2 });
      expect(await verifyAuditChain(db)).toMatchObject({ ok: true, checked: 4, lastHash: fresh.hash, checkpoint: { seq: 4, hash: fresh.hash } });
    } finally {
      await db.$disconnect();
    }
  }, 60_000);
});
