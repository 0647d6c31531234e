// A pg pool per process. DATABASE_URL is the instance's own database.
import pg from "pg";

export function requireDatabaseUrl(component) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write(`webwaka ${component}: DATABASE_URL is not set.\n`);
    process.exit(78);
  }
  return url;
}

export function createPool({ url, max, applicationName }) {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 10_000,
    application_name: applicationName.slice(0, 63),
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on("error", () => {});
  return pool;
}

/** Reads a setting from platform_settings, or the fallback when it is absent. */
export async function getSetting(db, key, fallback) {
  const { rows } = await db.query("SELECT value FROM platform_settings WHERE key = $1", [key]);
  return rows.length ? rows[0].value : fallback;
}

export async function setSetting(db, key, value) {
  await db.query(
    `INSERT INTO platform_settings (key, value, updated_at) VALUES ($1, $2::jsonb, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [key, JSON.stringify(value)],
  );
}

/** The highest applied migration, or "0000" (none, or no schema_migrations table yet). */
export async function currentSchema(db) {
  const { rows } = await db.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (!rows[0].present) return "0000";
  const res = await db.query("SELECT max(version) AS v FROM schema_migrations");
  return res.rows[0].v ?? "0000";
}
