// The console connects as a role of its own that owns nothing: it cannot disable the audit log's
// triggers (only an owner can), and it may only read and append to the audit log and read the
// chain's checkpoint. Migrations run as the owner. docs/architecture.md, "Database roles".
import pg from "pg";
import type { LocalPostgres } from "./local-postgres";
import { withPgClient as withClient } from "./ensure-database";

export const APP_ROLE = "webwaka_app";

/** Creates the app role on the cluster behind `superuserUrl` (or resets it) with `password`. */
export async function ensureAppRole(superuserUrl: string, password: string): Promise<void> {
  await withClient(superuserUrl, async (c) => {
    const exists = await c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [APP_ROLE]);
    if (exists.rowCount === 0) {
      // Two starters may race; the loser finds the role there.
      await c.query(`CREATE ROLE ${APP_ROLE}`).catch((e: unknown) => {
        if ((e as { code?: string }).code !== "42710") throw e;
      });
    }
    await c.query(`ALTER ROLE ${APP_ROLE} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${c.escapeLiteral(password)}`);
  });
}

// What the app role may do in one database. Run as the owner after every deploy, so tables a
// migration added are covered even where default privileges did not reach them.
function grants(database: string, owner: string): string {
  const db = pg.escapeIdentifier(database);
  const who = pg.escapeIdentifier(owner);
  return `
    GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${APP_ROLE};
    -- pg-boss creates (and later migrates) its own schema, pgboss, on start.
    GRANT CREATE ON DATABASE ${db} TO ${APP_ROLE};
    GRANT USAGE ON SCHEMA public TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE};
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE};
    ALTER DEFAULT PRIVILEGES FOR ROLE ${who} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE};
    ALTER DEFAULT PRIVILEGES FOR ROLE ${who} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APP_ROLE};
    -- Append-only for the app: read and insert, nothing else. The link at commit runs as the owner.
    REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON audit_logs FROM ${APP_ROLE};
    REVOKE ALL ON _prisma_migrations FROM ${APP_ROLE};
    GRANT USAGE ON SCHEMA audit_chain TO ${APP_ROLE};
    REVOKE ALL ON ALL TABLES IN SCHEMA audit_chain FROM ${APP_ROLE};
    GRANT SELECT ON audit_chain.head TO ${APP_ROLE};
  `;
}

// A pgboss schema made before the split belongs to the owner; pg-boss, now running as the app
// role, must own it to migrate it.
const ADOPT_PGBOSS = `
  DO $$
  DECLARE r record;
  BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'pgboss' AND nspowner <> '${APP_ROLE}'::regrole) THEN
      RETURN;
    END IF;
    ALTER SCHEMA pgboss OWNER TO ${APP_ROLE};
    FOR r IN SELECT c.oid::regclass AS rel FROM pg_class c
              WHERE c.relnamespace = 'pgboss'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'S')
                -- A sequence owned by a column follows its table.
                AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
    LOOP
      EXECUTE format('ALTER TABLE %s OWNER TO ${APP_ROLE}', r.rel);
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p WHERE p.pronamespace = 'pgboss'::regnamespace LOOP
      EXECUTE format('ALTER ROUTINE %s OWNER TO ${APP_ROLE}', r.fn);
    END LOOP;
    FOR r IN SELECT t.oid::regtype AS ty FROM pg_type t WHERE t.typnamespace = 'pgboss'::regnamespace AND t.typtype IN ('e', 'd') LOOP
      EXECUTE format('ALTER TYPE %s OWNER TO ${APP_ROLE}', r.ty);
    END LOOP;
  END $$;
`;

/**
 * Gives the app role its rights in `database` of the private cluster (run after migrations, as
 * the owner) and returns the URL the console should use from then on.
 */
export async function grantAppRole(cluster: LocalPostgres, database: string): Promise<string> {
  await withClient(cluster.url(database), async (c) => {
    const { rows } = await c.query<{ owner: string }>("SELECT current_user AS owner");
    await c.query(grants(database, rows[0]?.owner ?? "postgres"));
    await c.query(ADOPT_PGBOSS);
  });
  return cluster.appUrl(database);
}
