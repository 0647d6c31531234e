// `node migrate.js up | down --to NNNN | status` with DATABASE_URL. Each migration runs in its own
// transaction and is recorded in schema_migrations; a failing one leaves the schema as it was.
import pg from "pg";
import { requireDatabaseUrl } from "./lib/db.js";
import { listMigrations, readSql } from "./lib/migrations.js";
import { release } from "./lib/release.js";

// One migrator at a time per database: a second one waits for the first instead of racing it.
const LOCK_KEY = 727_0001;

class MigrateError extends Error {}

function usage() {
  process.stderr.write("usage: node migrate.js up | down --to NNNN | status\n");
  process.exit(2);
}

async function applied(client, { create = true } = {}) {
  if (create) {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  } else {
    const { rows } = await client.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
    if (!rows[0].present) return [];
  }
  const { rows } = await client.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
  return rows;
}

async function inTransaction(client, fn) {
  await client.query("BEGIN");
  try {
    await fn();
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  }
}

function describePgError(e, file) {
  const where = e.position ? ` (at character ${e.position} of ${file})` : "";
  return `${e.message}${where}${e.code ? ` [SQLSTATE ${e.code}]` : ""}`;
}

async function up(client) {
  const done = new Set((await applied(client)).map((r) => r.version));
  const pending = listMigrations().filter((m) => !done.has(m.version));
  if (!pending.length) console.log("Nothing to apply: the schema is up to date.");
  for (const m of pending) {
    if (!m.up) throw new MigrateError(`Migration ${m.version}_${m.name} has no .up.sql file.`);
    const t0 = Date.now();
    try {
      await inTransaction(client, async () => {
        await client.query(readSql(m.up));
        await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
      });
    } catch (e) {
      const before = [...done].sort().at(-1) ?? "0000";
      throw new MigrateError(`Migration ${m.version}_${m.name} failed and was rolled back; the schema stays at ${before}: ${describePgError(e, m.up)}`);
    }
    done.add(m.version);
    console.log(`Applied ${m.version}_${m.name} (${Date.now() - t0} ms)`);
  }
  console.log(`Schema is at ${[...done].sort().at(-1) ?? "0000"}.`);
}

async function down(client, to) {
  const rows = await applied(client);
  const files = new Map(listMigrations().map((m) => [m.version, m]));
  const revert = rows.filter((r) => r.version > to).reverse();
  // Check every down file first: stopping half-way for a missing file would be worse.
  const missing = revert.filter((r) => !files.get(r.version)?.down);
  if (missing.length) {
    throw new MigrateError(
      `This bundle (${release.version}) has no down migration for ${missing.map((r) => `${r.version}_${r.name}`).join(", ")}; revert with the release that brought it.`,
    );
  }
  if (!revert.length) console.log(`Nothing to revert: the schema is at or below ${to}.`);
  for (const r of revert) {
    const file = files.get(r.version).down;
    try {
      await inTransaction(client, async () => {
        await client.query(readSql(file));
        await client.query("DELETE FROM schema_migrations WHERE version = $1", [r.version]);
      });
    } catch (e) {
      throw new MigrateError(`Reverting ${r.version}_${r.name} failed and was rolled back; the schema stays at ${r.version}: ${describePgError(e, file)}`);
    }
    console.log(`Reverted ${r.version}_${r.name}`);
  }
  const left = (await applied(client)).map((r) => r.version);
  console.log(`Schema is at ${left.at(-1) ?? "0000"}.`);
}

async function status(client) {
  const done = (await applied(client, { create: false })).map((r) => r.version);
  const pending = listMigrations().filter((m) => !done.includes(m.version)).map((m) => m.version);
  console.log(JSON.stringify({ current: done.at(-1) ?? "0000", applied: done, pending, release: release.version, target: release.schemaVersion }));
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  let to = null;
  if (command === "down") {
    const i = rest.indexOf("--to");
    to = i >= 0 ? rest[i + 1] : (rest.find((a) => a.startsWith("--to="))?.slice(5) ?? null);
    if (!to || !/^\d{4}$/.test(to)) {
      process.stderr.write("migrate down needs --to NNNN (four digits; 0000 reverts everything)\n");
      process.exit(2);
    }
  } else if (command !== "up" && command !== "status") usage();

  const client = new pg.Client({ connectionString: requireDatabaseUrl("migrate"), application_name: "webwaka-migrate", connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    if (command === "up") await up(client);
    else if (command === "down") await down(client, to);
    else await status(client);
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => {});
    await client.end().catch(() => {});
  }
}

main().catch((e) => {
  process.stderr.write(`webwaka migrate: ${e instanceof MigrateError ? e.message : `error: ${e.message}`}\n`);
  process.exit(1);
});
