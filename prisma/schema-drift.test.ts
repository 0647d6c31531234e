import { describe, expect, it } from "vitest";
import pg from "pg";
import { diffDatabaseToSchema, diffMigrationsToSchema } from "@/scripts/db/schema-engine";
import { OWNER_DATABASE_URL as DATABASE_URL } from "@/test/support/env";

// The migrated test database was built by `npm run db:migrate`'s code (scripts/db/deploy.ts), as
// its owner; the owner also makes the shadow database the replay needs.
describe("migrations and schema.prisma", () => {
  it("the migrated database matches schema.prisma exactly", async () => {
    const sql = await diffDatabaseToSchema({ databaseUrl: DATABASE_URL, schemaPath: "prisma/schema.prisma" });
    expect(sql, `the database differs from schema.prisma:\n${sql}`).toBe("");
  }, 60_000);

  it("prisma/migrations replayed on an empty database give schema.prisma", async () => {
    const sql = await diffMigrationsToSchema({ databaseUrl: DATABASE_URL, migrationsDir: "prisma/migrations", schemaPath: "prisma/schema.prisma" });
    expect(sql, `a schema change has no migration; run npm run db:migrate:create -- --name ...:\n${sql}`).toBe("");
  }, 60_000);

  it("records every migration in Prisma's _prisma_migrations table with a sha256 checksum", async () => {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
        "SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name",
      );
      expect(rows.map((r) => r.migration_name)).toEqual(expect.arrayContaining(["20261125045636_init", "20261125050000_audit_log_append_only"]));
      for (const r of rows) {
        expect(r.checksum).toMatch(/^[0-9a-f]{64}$/);
        expect(r.finished_at).not.toBeNull();
      }
    } finally {
      await client.end();
    }
  });
});
