/**
 * `deploy`: apply pending Prisma migrations with plain `pg`.
 *
 * Kept in its own module, free of the wasm schema engine and of
 * @prisma/adapter-pg, because the app calls `deployMigrations()` on start-up:
 * it must be fast and robust, and importing it from app code must not drag
 * the engine into the Next.js server bundle. The CLI is scripts/db/migrate.ts.
 *
 * Compatibility: `_prisma_migrations` is created and filled exactly as
 * Prisma's schema engine does (same table definition, sha256 checksums of
 * migration.sql, same advisory lock), so `prisma migrate deploy/status` on a
 * machine with the native engine agrees with the state this leaves behind.
 */
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/** Paths relative to the project root (the current working directory). */
export const DEFAULT_MIGRATIONS_DIR = "prisma/migrations";
export const DEFAULT_SCHEMA_PATH = "prisma/schema.prisma";

/**
 * Key of the advisory lock Prisma's engine takes on PostgreSQL while
 * migrating. Using the same key serialises us against concurrent app
 * instances and against the official CLI.
 */
const PRISMA_ADVISORY_LOCK_KEY = 72707369;

/** Same definition as the table the Prisma schema engine creates. */
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export type Log = (message: string) => void;

export class MigrationError extends Error {
  override name = "MigrationError";
}

// ---------------------------------------------------------------------------
// Connection (kept free of the wasm module so deploy never loads it)
// ---------------------------------------------------------------------------

/**
 * Split DATABASE_URL into pg fields. Prisma's `?schema=` is not a libpq
 * parameter, so it is removed and applied via search_path instead.
 */
function pgConfigFromUrl(databaseUrl: string): { config: pg.ClientConfig; schema?: string } {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new MigrationError("DATABASE_URL is not a valid URL (expected postgresql://user:password@host:port/database)");
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") {
    throw new MigrationError(`DATABASE_URL must start with postgresql:// (got ${url.protocol}//)`);
  }
  const schema = url.searchParams.get("schema") ?? undefined;
  url.searchParams.delete("schema");
  return { config: { connectionString: url.toString(), connectionTimeoutMillis: 10_000 }, schema };
}

function describeUrl(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(errorMessage).join("; ");
  return error instanceof Error ? error.message || error.name : String(error);
}

function isUnreachable(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isUnreachable);
  const code = (error as { code?: unknown } | null)?.code;
  return (
    (typeof code === "string" && ["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "ECONNRESET"].includes(code)) ||
    /timeout expired|Connection terminated/i.test(errorMessage(error))
  );
}

const PG_INVALID_CATALOG_NAME = "3D000"; // "database ... does not exist"

async function openClient(config: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client(config);
  client.on("error", () => {}); // surfaced by the failing query instead
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

/**
 * Like `prisma migrate deploy`, create the database itself when it does not
 * exist yet (zero-config start against a fresh server), via the server's
 * `postgres` maintenance database.
 */
async function createMissingDatabase(config: pg.ClientConfig, log: Log): Promise<void> {
  const url = new URL(config.connectionString ?? "");
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!database) throw new MigrationError("DATABASE_URL names no database");
  url.pathname = "/postgres";
  const admin = await openClient({ ...config, connectionString: url.toString() });
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
    log(`Created database "${database}".`);
  } catch (error) {
    // Another instance may have created it concurrently (42P04, or 23505
    // when both CREATE DATABASE statements race in the catalog).
    if (!(error instanceof pg.DatabaseError && (error.code === "42P04" || error.code === "23505"))) throw error;
  } finally {
    await admin.end().catch(() => {});
  }
}

async function connect(databaseUrl: string, log: Log, createDatabase: boolean): Promise<pg.Client> {
  const { config, schema } = pgConfigFromUrl(databaseUrl);
  let client: pg.Client;
  try {
    try {
      client = await openClient(config);
    } catch (error) {
      if (!(createDatabase && error instanceof pg.DatabaseError && error.code === PG_INVALID_CATALOG_NAME)) throw error;
      await createMissingDatabase(config, log);
      client = await openClient(config);
    }
  } catch (error) {
    if (isUnreachable(error)) {
      throw new MigrationError(`Cannot reach PostgreSQL at ${describeUrl(databaseUrl)}: ${errorMessage(error)}`);
    }
    throw new MigrationError(`Cannot connect to ${describeUrl(databaseUrl)}: ${errorMessage(error)}`);
  }
  if (schema) {
    // Prisma creates the schema named in ?schema= when migrating.
    const ident = pg.escapeIdentifier(schema);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident}`);
    await client.query(`SET search_path TO ${ident}`);
  }
  return client;
}

// ---------------------------------------------------------------------------
// Migration files
// ---------------------------------------------------------------------------

export type LocalMigration = {
  name: string;
  /** migration.sql exactly as on disk. */
  script: string;
  /** sha256 hex of the script, as Prisma stores it. */
  checksum: string;
};

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * Prisma accepts a checksum computed with either line ending style, because
 * git may convert line endings on checkout. Mirror that to avoid false alarms.
 */
function checksumMatches(script: string, checksum: string): boolean {
  const lf = script.replace(/\r\n/g, "\n");
  const crlf = lf.replace(/\n/g, "\r\n");
  return [script, lf, crlf].some((variant) => sha256(variant) === checksum);
}

export async function readLocalMigrations(migrationsDir: string): Promise<LocalMigration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch((error: unknown) => {
    if ((error as { code?: string }).code === "ENOENT") return [];
    throw error;
  });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const migrations: LocalMigration[] = [];
  for (const name of names) {
    const file = path.join(migrationsDir, name, "migration.sql");
    const script = await readFile(file, "utf8").catch(() => {
      throw new MigrationError(`Migration ${name} has no readable migration.sql (${file})`);
    });
    migrations.push({ name, script, checksum: sha256(script) });
  }
  return migrations;
}

// ---------------------------------------------------------------------------
// deploy
// ---------------------------------------------------------------------------

type MigrationRow = {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
};

export type DeployOptions = {
  /** Defaults to prisma/migrations relative to the working directory. */
  migrationsDir?: string;
  log?: Log;
  /** Create the database if it does not exist (default true, as Prisma does). */
  createDatabase?: boolean;
  /** How long to wait for another migrator to finish (default 120 s). */
  lockTimeoutMs?: number;
};

export type DeployResult = {
  applied: string[];
};

/**
 * Apply pending migrations like `prisma migrate deploy`:
 * - refuses while a migration is recorded as failed (Prisma's P3009);
 * - refuses if an applied migration's file was edited (checksum mismatch);
 * - applies the rest in name order, each in its own transaction, recording
 *   each in `_prisma_migrations` with the same values Prisma writes.
 */
export async function deployMigrations(databaseUrl: string, options: DeployOptions = {}): Promise<DeployResult> {
  const log = options.log ?? (() => {});
  const migrationsDir = path.resolve(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const local = await readLocalMigrations(migrationsDir);
  const client = await connect(databaseUrl, log, options.createDatabase ?? true);
  try {
    await acquireMigrationLock(client, options.lockTimeoutMs ?? 120_000, log);
    try {
      return await deployLocked(client, local, log);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK_KEY]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Poll instead of a blocking pg_advisory_lock() so a stuck holder yields a
 * clear error rather than a start-up that hangs forever.
 */
async function acquireMigrationLock(client: pg.Client, timeoutMs: number, log: Log): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [
      PRISMA_ADVISORY_LOCK_KEY,
    ]);
    if (rows[0]?.locked) return;
    if (Date.now() >= deadline) {
      throw new MigrationError(
        `Timed out after ${Math.round(timeoutMs / 1000)} s waiting for the migration lock ` +
          `(pg advisory lock ${PRISMA_ADVISORY_LOCK_KEY}); another migration seems to be running.`,
      );
    }
    if (!announced) log("Waiting for another migration run to finish...");
    announced = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function deployLocked(client: pg.Client, local: LocalMigration[], log: Log): Promise<DeployResult> {
  await client.query(CREATE_MIGRATIONS_TABLE);
  const { rows } = await client.query<MigrationRow>(
    `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at
       FROM "_prisma_migrations" ORDER BY started_at ASC`,
  );
  const live = rows.filter((r) => r.rolled_back_at === null);

  const failed = live.filter((r) => r.finished_at === null);
  if (failed.length > 0) {
    const names = failed.map((r) => `  - ${r.migration_name}${r.logs ? `\n${indent(r.logs, 6)}` : ""}`).join("\n");
    throw new MigrationError(
      `Found failed migration(s) in the database; no migration was applied:\n${names}\n` +
        'Fix the database by hand, then mark the migration rolled back (UPDATE "_prisma_migrations" ' +
        "SET rolled_back_at = now() WHERE migration_name = ...) or applied, and run deploy again.",
    );
  }

  const byName = new Map(local.map((m) => [m.name, m]));
  const applied = new Set<string>();
  const edited: string[] = [];
  for (const row of live) {
    applied.add(row.migration_name);
    const file = byName.get(row.migration_name);
    if (file && !checksumMatches(file.script, row.checksum)) edited.push(row.migration_name);
    if (!file) log(`warning: migration ${row.migration_name} is applied but missing from the migrations directory`);
  }
  if (edited.length > 0) {
    throw new MigrationError(
      `Applied migration(s) were modified after they were applied (checksum mismatch):\n` +
        edited.map((n) => `  - ${n}`).join("\n") +
        "\nRestore the original migration.sql (e.g. from git) and put further changes in a new migration.",
    );
  }

  const pending = local.filter((m) => !applied.has(m.name));
  if (pending.length === 0) {
    log(`No pending migrations (${local.length} applied).`);
    return { applied: [] };
  }
  log(`${pending.length} pending migration(s) to apply.`);
  const done: string[] = [];
  for (const migration of pending) {
    await applyOne(client, migration);
    log(`Applied ${migration.name}`);
    done.push(migration.name);
  }
  log(`All migrations have been successfully applied.`);
  return { applied: done };
}

/**
 * Record the attempt first (outside the transaction, like Prisma), so a
 * failure stays visible and blocks later deploys until someone looks at it;
 * then run the script and mark it finished in one transaction, so a crash can
 * never leave a migration applied but recorded as failed (or vice versa).
 */
async function applyOne(client: pg.Client, migration: LocalMigration): Promise<void> {
  const id = randomUUID();
  await client.query(
    `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
     VALUES ($1, $2, $3, now(), 0)`,
    [id, migration.checksum, migration.name],
  );
  try {
    await client.query("BEGIN");
    // No parameters: pg uses the simple query protocol, which accepts a
    // multi-statement script, as Prisma's engine does.
    await client.query(migration.script);
    await client.query(
      `UPDATE "_prisma_migrations"
          SET finished_at = clock_timestamp(), applied_steps_count = applied_steps_count + 1
        WHERE id = $1`,
      [id],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    const detail = describePgError(error);
    await client
      .query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, detail])
      .catch(() => {});
    throw new MigrationError(
      `Migration ${migration.name} failed and was rolled back:\n${indent(detail, 2)}\n` +
        "It is recorded as failed in _prisma_migrations; deploy refuses to continue until that is resolved.",
    );
  }
}

function describePgError(error: unknown): string {
  if (error instanceof pg.DatabaseError) {
    const parts = [`Database error code: ${error.code ?? "unknown"}`, `Database error:\n${error.message}`];
    if (error.detail) parts.push(`DETAIL: ${error.detail}`);
    if (error.hint) parts.push(`HINT: ${error.hint}`);
    if (error.position) parts.push(`Position: ${error.position}`);
    return parts.join("\n");
  }
  return errorMessage(error);
}

function indent(text: string, n: number): string {
  const pad = " ".repeat(n);
  return text
    .split("\n")
    .map((l) => pad + l)
    .join("\n");
}
