// grantAppRole on a database that predates the role split: pg-boss's schema, made by the owner,
// passes to the app role, and tables that later migrations add reach it too.
import { afterAll, describe, expect, it } from "vitest";
import PgBoss from "pg-boss";
import { deployMigrations } from "@/scripts/db/deploy";
import { dropDatabase, ensureDatabase, withPgClient as withClient } from "@/scripts/lib/ensure-database";
import { grantAppRole } from "@/scripts/lib/app-role";
import type { LocalPostgres } from "@/scripts/lib/local-postgres";
import { ADMIN_DATABASE_URL, DATABASE_URL } from "@/test/support/env";

const name = `app_role_${process.pid}`;
const onDatabase = (base: string) => (database: string) => {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
};
// The cluster as grantAppRole sees it: the superuser's URLs and the app role's.
const cluster = { url: onDatabase(ADMIN_DATABASE_URL), appUrl: onDatabase(DATABASE_URL) } as LocalPostgres;

async function startBoss(url: string): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: url, schema: "pgboss", max: 2, supervise: false, schedule: false });
  boss.on("error", () => undefined);
  await boss.start();
  return boss;
}

describe("grantAppRole on an existing database", () => {
  afterAll(async () => {
    await dropDatabase(ADMIN_DATABASE_URL, name);
  });

  it("hands pg-boss's schema to the app role and covers tables added later", async () => {
    await ensureDatabase(ADMIN_DATABASE_URL, name);
    await deployMigrations(cluster.url(name));
    // Before the split, pg-boss ran as the owner and made its schema.
    const before = await startBoss(cluster.url(name));
    await before.createQueue("q");
    await before.send("q", { n: 1 });
    await before.stop({ graceful: false, wait: true });

    const appUrl = await grantAppRole(cluster, name);
    expect(appUrl).toBe(cluster.appUrl(name));
    await withClient(cluster.url(name), async (c) => {
      const { rows } = await c.query<{ owner: string; n: string }>(
        `SELECT r.rolname AS owner, count(*)::text AS n FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
          WHERE c.relnamespace = 'pgboss'::regnamespace AND c.relkind IN ('r', 'p') GROUP BY 1`,
      );
      expect(rows.map((r) => r.owner)).toEqual(["webwaka_app"]);
      // A migration after this deploy adds a table.
      await c.query("CREATE TABLE later_table (id int PRIMARY KEY)");
    });

    const after = await startBoss(appUrl);
    try {
      await after.createQueue("q2");
      expect(await after.send("q2", { n: 2 })).toEqual(expect.any(String));
      const [job] = await after.fetch<{ n: number }>("q");
      expect(job?.data).toEqual({ n: 1 });
    } finally {
      await after.stop({ graceful: false, wait: true });
    }
    await withClient(appUrl, async (c) => {
      await c.query("INSERT INTO later_table VALUES (1)");
      expect((await c.query("SELECT id FROM later_table")).rows).toEqual([{ id: 1 }]);
      await expect(c.query("UPDATE audit_logs SET action = 'x'")).rejects.toThrow(/permission denied/);
      await expect(c.query("CREATE TABLE public.mine (id int)")).rejects.toThrow(/permission denied/);
    });
  }, 60_000);
});
