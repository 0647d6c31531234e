/**
 * Offline access to Prisma's schema engine.
 *
 * Why this exists: `prisma migrate` needs a native `schema-engine` binary that
 * Prisma downloads at install time, and this environment cannot reach that
 * host. The same engine is published on npm as WebAssembly
 * (`@prisma/schema-engine-wasm`); it talks to PostgreSQL through a Prisma
 * driver adapter (`@prisma/adapter-pg`) instead of its own network stack.
 * This module wires the two together and exposes a small `diff()` API that
 * `scripts/db/migrate.ts` and tests build on.
 *
 * Only `diff` is needed here: applying migrations is done with plain `pg`
 * (see migrate.ts) so that app start-up does not depend on the wasm engine.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import type {
  DiffTarget,
  MigrationList,
  SchemaContainer,
  SchemaEngine,
} from "@prisma/schema-engine-wasm";

// ---------------------------------------------------------------------------
// Connection settings
// ---------------------------------------------------------------------------

/** A PostgreSQL URL broken into parts, plus Prisma's `?schema=` parameter. */
export type PgConnection = {
  config: pg.ClientConfig & { host: string; port: number; database: string };
  /** Postgres schema named by `?schema=` (Prisma convention), if any. */
  schema?: string;
};

/**
 * Parse `postgres[ql]://user:pass@host:port/db?schema=..&sslmode=..&host=..`.
 *
 * Why not hand the URL string to pg: pg lets a `connectionString` override
 * every other field, so the adapter's shadow-database connection (which only
 * swaps `database`) would silently point at the real database. Splitting the
 * URL into fields keeps the swap effective.
 */
export function parseDatabaseUrl(databaseUrl: string): PgConnection {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error("DATABASE_URL is not a valid URL (expected postgresql://user:password@host:port/database)");
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") {
    throw new Error(`DATABASE_URL must start with postgresql:// or postgres:// (got ${url.protocol}//)`);
  }
  const params = url.searchParams;
  // `?host=/path` selects a unix socket directory, as in libpq and Prisma.
  const host = params.get("host") ?? (decodeURIComponent(url.hostname) || "localhost");
  const database = decodeURIComponent(url.pathname.replace(/^\//, "")) || "postgres";
  const config: PgConnection["config"] = {
    host,
    port: url.port ? Number(url.port) : 5432,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database,
  };
  const sslmode = params.get("sslmode");
  if (sslmode === "require" || sslmode === "prefer" || sslmode === "no-verify") {
    // libpq's `require` encrypts but does not verify the certificate.
    config.ssl = { rejectUnauthorized: false };
  } else if (sslmode === "verify-ca" || sslmode === "verify-full") {
    config.ssl = true;
  }
  const connectTimeout = params.get("connect_timeout");
  config.connectionTimeoutMillis = connectTimeout ? Number(connectTimeout) * 1000 : 10_000;
  const schema = params.get("schema") ?? undefined;
  return { config, schema };
}

/** Short description of the target server for error messages (no password). */
export function describeConnection(conn: PgConnection): string {
  const { user, host, port, database } = conn.config;
  return `${user ?? ""}${user ? "@" : ""}${host}:${port}/${database}`;
}

// ---------------------------------------------------------------------------
// Driver adapter with the fixes the schema engine needs
// ---------------------------------------------------------------------------

const PG_CHAR_OID = 18; // PostgreSQL's internal one-byte "char" type
const PG_TEXT_OID = 25;

type QueryCallback = (err: Error | null, res?: pg.QueryResult) => void;

function retypeCharFields(res: pg.QueryResult | pg.QueryResult[] | undefined): void {
  const results = Array.isArray(res) ? res : res ? [res] : [];
  for (const r of results) {
    for (const field of r.fields ?? []) {
      if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    }
  }
}

/**
 * The engine introspects pg_catalog columns such as `pg_class.relkind`, which
 * have the internal type "char" (oid 18). adapter-pg refuses that oid
 * ("Column type 'char' could not be deserialized"). pg already hands the
 * value over as a one-character string, so we relabel such columns as text
 * before the adapter inspects the field list. Patched per client instance so
 * nothing global (e.g. the app's own pg usage) is affected.
 */
function patchCharColumns(client: pg.PoolClient | pg.Client): void {
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  const patched = (...args: unknown[]): unknown => {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      const cb = last as QueryCallback;
      args[args.length - 1] = (err: Error | null, res?: pg.QueryResult) => {
        if (!err) retypeCharFields(res);
        cb(err, res);
      };
      return original(...args);
    }
    const ret = original(...args);
    if (ret instanceof Promise) {
      return ret.then((res: pg.QueryResult) => {
        retypeCharFields(res);
        return res;
      });
    }
    return ret; // a Submittable (e.g. cursor); not used by the adapter
  };
  (client as unknown as { query: typeof patched }).query = patched;
}

function createPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool({ ...config, max: 4, idleTimeoutMillis: 1_000 });
  pool.on("connect", (client) => patchCharColumns(client));
  // An idle client dying (e.g. its database was dropped) must not crash us.
  pool.on("error", () => {});
  return pool;
}

/** Map a pg error to the adapter error type the engine understands. */
function toAdapterError(error: unknown): Error {
  if (error instanceof pg.DatabaseError) {
    return new DriverAdapterError({
      kind: "postgres",
      code: error.code ?? "unknown",
      severity: error.severity ?? "ERROR",
      message: error.message,
      detail: error.detail,
      column: error.column,
      hint: error.hint,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * adapter-pg's executeScript splits scripts on every `;`, which breaks
 * statements containing semicolons in string literals or function bodies.
 * Send the script as one simple-protocol query instead (like the native
 * engine), which PostgreSQL runs as a single implicit transaction.
 */
function withWholeScriptExecution<T extends SqlDriverAdapter>(adapter: T, pool: pg.Pool): T {
  adapter.executeScript = async (script: string): Promise<void> => {
    try {
      await pool.query(script);
    } catch (error) {
      throw toAdapterError(error);
    }
  };
  return adapter;
}

/**
 * Connection for CREATE/DROP DATABASE. Uses DATABASE_URL's database, or the
 * `postgres` maintenance database when that one does not exist yet (so
 * `create` works before the app database was ever deployed).
 */
async function withAdminClient<T>(config: pg.ClientConfig, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const open = async (cfg: pg.ClientConfig): Promise<pg.Client> => {
    const c = new pg.Client(cfg);
    c.on("error", () => {});
    try {
      await c.connect();
      return c;
    } catch (error) {
      await c.end().catch(() => {});
      throw error;
    }
  };
  const client = await open(config).catch((error: unknown) => {
    if (error instanceof pg.DatabaseError && error.code === "3D000") return open({ ...config, database: "postgres" });
    throw error;
  });
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** False only when the server says the database does not exist. */
async function databaseExists(config: pg.ClientConfig): Promise<boolean> {
  const client = new pg.Client(config);
  client.on("error", () => {});
  try {
    await client.connect();
    return true;
  } catch (error) {
    if (error instanceof pg.DatabaseError && error.code === "3D000") return false;
    return true; // other problems surface from the engine with its own message
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * A migration-aware adapter factory that connects with discrete connection
 * fields, creates throw-away shadow databases on the same server and always
 * removes them with `DROP DATABASE ... WITH (FORCE)` (a plain DROP fails while
 * the engine's pooled connections are still open). Tracks everything it opens
 * so `close()` can guarantee that no connection or shadow database is left.
 */
class OfflineAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "postgres" as const;
  readonly adapterName = "@prisma/adapter-pg";
  private readonly cleanups = new Set<() => Promise<void>>();

  /**
   * @param mainDbOptional true when the diff does not read the live database:
   *   the engine still opens its main connection, so if DATABASE_URL's
   *   database does not exist yet we point that connection at `postgres`
   *   (only the server is needed then, for shadow databases).
   */
  constructor(
    private readonly conn: PgConnection,
    private readonly mainDbOptional = false,
  ) {}

  async connect(): Promise<SqlDriverAdapter> {
    const config = this.mainDbOptional && !(await databaseExists(this.conn.config))
      ? { ...this.conn.config, database: "postgres" }
      : this.conn.config;
    const pool = createPool(config);
    const inner = new PrismaPg(pool, { schema: this.conn.schema, disposeExternalPool: true });
    const adapter = withWholeScriptExecution(await inner.connect(), pool);
    return this.track(adapter, async () => {
      if (!pool.ended) await pool.end();
    });
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const name = `prisma_migrate_shadow_db_${randomUUID().replaceAll("-", "")}`;
    const adminConfig = this.conn.config;
    await withAdminClient(adminConfig, (c) => c.query(`CREATE DATABASE "${name}"`)).catch((error: unknown) => {
      throw new Error(
        `Could not create a shadow database on ${describeConnection(this.conn)} ` +
          `(the DATABASE_URL user needs the CREATEDB privilege): ${errorMessage(error)}`,
      );
    });
    const pool = createPool({ ...this.conn.config, database: name });
    const inner = new PrismaPg(pool, { disposeExternalPool: true });
    const adapter = withWholeScriptExecution(await inner.connect(), pool);
    return this.track(adapter, async () => {
      if (!pool.ended) await pool.end();
      await withAdminClient(adminConfig, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    });
  }

  /** Make `dispose()` idempotent and remember it for `close()`. */
  private track(adapter: SqlDriverAdapter, cleanup: () => Promise<void>): SqlDriverAdapter {
    let done: Promise<void> | undefined;
    const run = (): Promise<void> => {
      done ??= cleanup().finally(() => this.cleanups.delete(run));
      return done;
    };
    this.cleanups.add(run);
    adapter.dispose = run;
    return adapter;
  }

  /** Dispose everything still open (the engine may not dispose on errors). */
  async close(): Promise<void> {
    const pending = [...this.cleanups].map((fn) => fn());
    const results = await Promise.allSettled(pending);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw new Error(`Cleanup failed: ${errorMessage(failed.reason)}`);
  }
}

// ---------------------------------------------------------------------------
// Wasm engine loading
// ---------------------------------------------------------------------------

type BgModule = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");
let enginePromise: Promise<BgModule> | undefined;

/**
 * The package's entry does `import * as wasm from "./x.wasm"`, which Node
 * cannot load without experimental flags. So we instantiate the .wasm file
 * ourselves against the package's JS glue module (which is what the bundler
 * integration would do). Cached: the glue holds a single wasm instance.
 */
function loadEngineModule(): Promise<BgModule> {
  enginePromise ??= (async () => {
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const glue: BgModule = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const bytes = await readFile(path.join(path.dirname(gluePath), "schema_engine_bg.wasm"));
    const imports = { "./schema_engine_bg.js": glue as unknown as WebAssembly.ModuleImports };
    const { instance } = await WebAssembly.instantiate(bytes, imports);
    (glue as unknown as { __wbg_set_wasm(exports: WebAssembly.Exports): void }).__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    return glue;
  })();
  return enginePromise;
}

/** Version (git hash) of the loaded schema engine, e.g. for diagnostics. */
export async function schemaEngineVersion(): Promise<string> {
  return (await loadEngineModule()).version();
}

// ---------------------------------------------------------------------------
// Inputs: schema files and migrations directory
// ---------------------------------------------------------------------------

/** Read a schema file, or every `.prisma` file below a schema folder. */
export async function readSchemaFiles(schemaPath: string): Promise<SchemaContainer[]> {
  const info = await stat(schemaPath).catch(() => undefined);
  if (!info) throw new Error(`Prisma schema not found at ${schemaPath}`);
  if (info.isFile()) return [{ path: schemaPath, content: await readFile(schemaPath, "utf8") }];
  const entries = await readdir(schemaPath, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith(".prisma"))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((p) => !p.split(path.sep).includes("migrations"))
    .sort();
  return Promise.all(files.map(async (p) => ({ path: p, content: await readFile(p, "utf8") })));
}

/** What Prisma writes to `prisma/migrations/migration_lock.toml`. */
export const LOCKFILE_CONTENT =
  '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n';

/**
 * Load `prisma/migrations` in the shape the engine expects. Directories are
 * sorted by name, which starts with a UTC timestamp, as in Prisma.
 */
export async function readMigrationsList(migrationsDir: string): Promise<MigrationList> {
  const baseDir = path.resolve(migrationsDir);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const migrationDirectories = await Promise.all(
    dirs.map(async (dir) => {
      const content = await readFile(path.join(baseDir, dir, "migration.sql"), "utf8").then(
        (value) => ({ tag: "ok" as const, value }),
        (error: unknown) => ({ tag: "error" as const, value: errorMessage(error) }),
      );
      return { path: dir, migrationFile: { path: "migration.sql", content } };
    }),
  );
  const lockPath = path.join(baseDir, "migration_lock.toml");
  // A brand-new project has no lock file yet; this tool only targets
  // PostgreSQL, so assume that rather than fail (create writes the file).
  const lockContent = await readFile(lockPath, "utf8").catch(() => LOCKFILE_CONTENT);
  return {
    baseDir,
    lockfile: { path: "migration_lock.toml", content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

// ---------------------------------------------------------------------------
// Diff
// ---------------------------------------------------------------------------

/** One side of a diff. */
export type DiffSource =
  /** Nothing: diffing from it yields the full creation script. */
  | { kind: "empty" }
  /** The datamodel in a Prisma schema file or folder (no database needed). */
  | { kind: "schema"; path: string }
  /** The migrations directory, replayed into a temporary shadow database. */
  | { kind: "migrations"; dir: string }
  /** The live database at `databaseUrl` (its `?schema=` or public). */
  | { kind: "database" };

export type DiffOptions = {
  /**
   * Server to use. It is the database inspected for `{kind: 'database'}`, and
   * the server on which a shadow database is created for `{kind: 'migrations'}`.
   */
  databaseUrl: string;
  from: DiffSource;
  to: DiffSource;
  /** Path of the Prisma schema used to tell the engine the provider. */
  schemaPath: string;
  /** Receives the engine's JSON log lines (debugging). */
  onLog?: (line: string) => void;
};

const NO_FILTERS = { externalTables: [], externalEnums: [] };

async function toDiffTarget(source: DiffSource, schemaFiles: SchemaContainer[]): Promise<DiffTarget> {
  switch (source.kind) {
    case "empty":
      return { tag: "empty" };
    case "schema":
      return { tag: "schemaDatamodel", files: await readSchemaFiles(source.path) };
    case "migrations":
      return { tag: "migrations", ...(await readMigrationsList(source.dir)) };
    case "database":
      // Prisma 7 dropped `url` diff targets; "the config datasource" is the
      // main connection of the driver adapter, i.e. `databaseUrl`.
      return { tag: "schemaDatasource", files: schemaFiles, configDir: process.cwd() };
  }
}

/**
 * Run `fn` with a fresh engine instance bound to `databaseUrl`; always
 * closes every pool and drops any shadow database afterwards.
 */
export async function withSchemaEngine<T>(
  opts: {
    databaseUrl: string;
    schemaPath: string;
    onLog?: (line: string) => void;
    /** Allow DATABASE_URL's database to be missing (see OfflineAdapterFactory). */
    mainDbOptional?: boolean;
  },
  fn: (engine: SchemaEngine, ctx: { schemaFiles: SchemaContainer[] }) => Promise<T>,
): Promise<T> {
  const conn = parseDatabaseUrl(opts.databaseUrl);
  const [glue, schemaFiles] = await Promise.all([loadEngineModule(), readSchemaFiles(opts.schemaPath)]);
  const factory = new OfflineAdapterFactory(conn, opts.mainDbOptional ?? false);
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  let engine: SchemaEngine | undefined;
  try {
    engine = await glue.SchemaEngine.new(
      { datamodels: schemaFiles.map((f): [string, string] => [f.path, f.content]) },
      (line: string) => opts.onLog?.(line),
      bound,
    );
    return await fn(engine, { schemaFiles });
  } catch (error) {
    throw explainEngineError(error, conn);
  } finally {
    engine?.free();
    await factory.close();
  }
}

/**
 * Return the SQL that turns `from` into `to`, or '' when they are equal.
 * The script is exactly what `prisma migrate diff --script` prints.
 */
export async function diff(opts: DiffOptions): Promise<string> {
  const mainDbOptional = opts.from.kind !== "database" && opts.to.kind !== "database";
  return withSchemaEngine({ ...opts, mainDbOptional }, async (engine, { schemaFiles }) => {
    const result = await engine.diff({
      from: await toDiffTarget(opts.from, schemaFiles),
      to: await toDiffTarget(opts.to, schemaFiles),
      script: true,
      // With exitCode the engine reports 2 for "non-empty diff"; this is more
      // robust than matching its "-- This is an empty migration." text.
      exitCode: true,
      filters: NO_FILTERS,
    });
    return result.exitCode === 2 ? (result.stdout ?? "") : "";
  });
}

/** SQL that brings a database built from `migrationsDir` up to `schemaPath`. */
export function diffMigrationsToSchema(opts: {
  databaseUrl: string;
  migrationsDir: string;
  schemaPath: string;
}): Promise<string> {
  return diff({
    databaseUrl: opts.databaseUrl,
    schemaPath: opts.schemaPath,
    from: { kind: "migrations", dir: opts.migrationsDir },
    to: { kind: "schema", path: opts.schemaPath },
  });
}

/** SQL that brings the live database up to `schemaPath` ('' = no drift). */
export function diffDatabaseToSchema(opts: { databaseUrl: string; schemaPath: string }): Promise<string> {
  return diff({
    databaseUrl: opts.databaseUrl,
    schemaPath: opts.schemaPath,
    from: { kind: "database" },
    to: { kind: "schema", path: opts.schemaPath },
  });
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(errorMessage).join("; ");
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

const CONNECTION_ERROR_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "ECONNRESET"]);

/** True for "server not reachable" style failures (vs. SQL errors). */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && CONNECTION_ERROR_CODES.has(code)) return true;
  const msg = errorMessage(error);
  return /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|Can't reach database|connection terminated|timeout expired/i.test(msg);
}

/** Wasm engine errors carry Rust span traces; keep the first line(s). */
function explainEngineError(error: unknown, conn: PgConnection): Error {
  if (isConnectionError(error)) {
    const detail = errorMessage(error).split(/\n\s+0: /)[0]?.trim();
    return new Error(`Cannot reach PostgreSQL at ${describeConnection(conn)}: ${detail}`, { cause: error });
  }
  const message = errorMessage(error).split(/\n\s+0: /)[0] ?? "";
  return new Error(message.trim(), { cause: error });
}
