// pg_dump / pg_restore through argument arrays, with the password in PGPASSWORD rather than on
// the command line (where `ps` would show it).
import { execFile } from "node:child_process";
import pg from "pg";
import { systemPath } from "@/lib/env";
import { promisify } from "node:util";

const run = promisify(execFile);

export type PgTarget = { host: string; port: string; user: string; password: string; database: string };

export function pgTarget(databaseUrl: string): PgTarget {
  const u = new URL(databaseUrl);
  return { host: u.hostname, port: u.port || "5432", user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: decodeURIComponent(u.pathname.slice(1)) };
}

function env(t: PgTarget): NodeJS.ProcessEnv {
  return { NODE_ENV: "production", PATH: systemPath(), PGPASSWORD: t.password, PGCONNECT_TIMEOUT: "10" };
}

function conn(t: PgTarget): string[] {
  return ["-h", t.host, "-p", t.port, "-U", t.user];
}

export async function pgDump(databaseUrl: string, file: string, timeoutMs: number): Promise<void> {
  const t = pgTarget(databaseUrl);
  await run("pg_dump", [...conn(t), "-d", t.database, "-F", "c", "-f", file, "--no-owner"], { env: env(t), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
}

/** `pg_restore --list`: proves the archive is readable; returns the number of entries. */
export async function pgRestoreList(file: string): Promise<number> {
  const { stdout } = await run("pg_restore", ["--list", file], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.split("\n").filter((l) => l && !l.startsWith(";")).length;
}

/**
 * Restores an archive over the database. `--clean --if-exists` alone leaves objects created after
 * the backup (a table a new migration added), so the public schema is emptied first: the result
 * is the database exactly as it was backed up.
 */
export async function pgRestore(databaseUrl: string, file: string, timeoutMs: number): Promise<void> {
  const t = pgTarget(databaseUrl);
  await run("psql", [...conn(t), "-d", t.database, "-v", "ON_ERROR_STOP=1", "-c", "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;"], { env: env(t), timeout: timeoutMs });
  await run("pg_restore", [...conn(t), "-d", t.database, "--clean", "--if-exists", "--no-owner", "--exit-on-error", "--single-transaction", file], { env: env(t), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
}

/** The live size of the database, in bytes (a query: a psql process costs more than it asks). */
export async function databaseSize(databaseUrl: string): Promise<number> {
  const c = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  await c.connect();
  try {
    const r = await c.query<{ size: string }>("SELECT pg_database_size(current_database())::text AS size");
    return Number(r.rows[0]?.size ?? 0);
  } finally {
    await c.end();
  }
}
