/**
 * Offline replacement for the parts of `prisma migrate` this project uses.
 *
 *   tsx scripts/db/migrate.ts deploy                 apply pending migrations
 *   tsx scripts/db/migrate.ts create --name <name>   write a new migration from schema changes
 *   tsx scripts/db/migrate.ts check                  exit 1 if the database drifted from the schema
 *
 * All commands read DATABASE_URL. Files and the `_prisma_migrations` table use
 * Prisma's own formats, so `prisma migrate deploy` on a machine that has the
 * native engine agrees with what this tool did. See docs/migrations.md.
 *
 * `deploy` lives in ./deploy.ts and uses only `pg` (no wasm engine): the app
 * runs it on start-up, where it must be fast and have few moving parts. App
 * code should import `deployMigrations` from ./deploy.ts (re-exported here for
 * convenience) so bundlers never see the lazily loaded engine used by
 * `create` and `check`.
 */
import { access, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  DEFAULT_MIGRATIONS_DIR,
  DEFAULT_SCHEMA_PATH,
  deployMigrations,
  errorMessage,
  MigrationError,
  readLocalMigrations,
  type Log,
} from "./deploy.js";

export {
  DEFAULT_MIGRATIONS_DIR,
  DEFAULT_SCHEMA_PATH,
  deployMigrations,
  MigrationError,
  type DeployOptions,
  type DeployResult,
  type Log,
} from "./deploy.js";

// ---------------------------------------------------------------------------
// create / check (wasm engine, loaded on demand)
// ---------------------------------------------------------------------------

/** UTC `YYYYMMDDHHMMSS`, the prefix Prisma gives migration directories. */
export function migrationTimestamp(date = new Date()): string {
  return date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

export type CreateOptions = {
  name: string;
  migrationsDir?: string;
  schemaPath?: string;
  log?: Log;
};

/** Returns the new migration's directory name, or null if nothing changed. */
export async function createMigration(databaseUrl: string, options: CreateOptions): Promise<string | null> {
  const log = options.log ?? (() => {});
  if (!/^[a-z0-9_]+$/.test(options.name)) {
    throw new MigrationError(`Migration name must be snake_case ([a-z0-9_]+), got "${options.name}"`);
  }
  const migrationsDir = path.resolve(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const schemaPath = path.resolve(options.schemaPath ?? DEFAULT_SCHEMA_PATH);
  const engine = await import("./schema-engine.js");
  const sql = await engine.diffMigrationsToSchema({ databaseUrl, migrationsDir, schemaPath });

  if (sql === "") {
    log("No schema changes: the migrations already match prisma/schema.prisma. Nothing written.");
    return null;
  }
  await mkdir(migrationsDir, { recursive: true });
  await ensureLockFile(migrationsDir, engine.LOCKFILE_CONTENT);
  const existing = await readLocalMigrations(migrationsDir);
  let stamp = migrationTimestamp();
  // Names must sort after every existing migration (clock skew, fast reruns).
  const last = existing.at(-1)?.name.slice(0, 14);
  if (last && stamp <= last) stamp = String(BigInt(last) + 1n);
  const dirName = `${stamp}_${options.name}`;
  await mkdir(path.join(migrationsDir, dirName));
  await writeFile(path.join(migrationsDir, dirName, "migration.sql"), sql);
  log(`Created ${path.relative(process.cwd(), path.join(migrationsDir, dirName, "migration.sql"))}:\n\n${sql}`);
  return dirName;
}

async function ensureLockFile(migrationsDir: string, content: string): Promise<void> {
  const lockFile = path.join(migrationsDir, "migration_lock.toml");
  const exists = await access(lockFile).then(
    () => true,
    () => false,
  );
  if (exists) return;
  await writeFile(lockFile, content);
}

export type CheckResult = {
  drift: boolean;
  /** SQL that would bring the database to the schema ('' when in sync). */
  sql: string;
};

/** Compare the live database with the Prisma schema. */
export async function checkDrift(
  databaseUrl: string,
  options: { schemaPath?: string } = {},
): Promise<CheckResult> {
  const schemaPath = path.resolve(options.schemaPath ?? DEFAULT_SCHEMA_PATH);
  const engine = await import("./schema-engine.js");
  const sql = await engine.diffDatabaseToSchema({ databaseUrl, schemaPath });
  return { drift: sql !== "", sql };
}

// ---------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------

const USAGE = `Usage: tsx scripts/db/migrate.ts <command>

Commands:
  deploy                 Apply pending migrations from prisma/migrations
  create --name <name>   Create a migration from changes in prisma/schema.prisma
  check                  Exit 1 (and print SQL) if the database differs from the schema

Environment:
  DATABASE_URL           postgresql://user:password@host:port/database[?schema=name]`;

function parseNameArg(args: string[]): string | undefined {
  const i = args.findIndex((a) => a === "--name" || a === "-n" || a.startsWith("--name="));
  if (i === -1) return undefined;
  const arg = args[i] ?? "";
  return arg.startsWith("--name=") ? arg.slice("--name=".length) : args[i + 1];
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (!["deploy", "create", "check"].includes(command)) {
    console.error(`Unknown command "${command}".\n\n${USAGE}`);
    return 2;
  }
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error("DATABASE_URL is not set. Example: DATABASE_URL=postgresql://user:password@localhost:5432/app");
    return 2;
  }
  const log: Log = (m) => console.log(m);
  try {
    switch (command) {
      case "deploy": {
        await deployMigrations(databaseUrl, { log });
        return 0;
      }
      case "create": {
        const name = parseNameArg(rest);
        if (!name) {
          console.error("create needs --name <snake_case_name>");
          return 2;
        }
        await createMigration(databaseUrl, { name, log });
        return 0;
      }
      case "check": {
        const { drift, sql } = await checkDrift(databaseUrl);
        if (!drift) {
          console.log("no drift");
          return 0;
        }
        console.log("Drift detected: the database differs from prisma/schema.prisma.");
        console.log("SQL that would bring the database in line with the schema:\n");
        console.log(sql);
        return 1;
      }
    }
  } catch (error) {
    console.error(`error: ${errorMessage(error)}`);
    return 1;
  }
  return 2;
}

// Run only when executed directly, so other code can import deployMigrations.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
