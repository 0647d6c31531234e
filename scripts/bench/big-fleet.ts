// A large fleet in the bench database, written with SQL (generate_series) in a few seconds: N
// instances with a mix of channels, pins, time zones, windows and freezes, and 20 upgrade runs each
// spread over six months (succeeded, failed, rolled back with a rollback run as the child,
// cancelled, rejected), plus some active runs. Every row's id and name carry a tag of its own, so
// nothing collides with the seed, the tests or another bench, and `deleteBigFleet` removes it all
// (runs, windows and freezes go with their instance). No audit entries are written: the audit log
// is append-only, and nothing here is a change made through the console.
import pg from "pg";

export const BIG_FLEET_PREFIX = "bench-pages-";

export type BigFleet = { tag: string; instances: number; runs: number; windows: number; freezes: number };

/** Active-run statuses that nothing moves on its own (no lease to resume, no due time, no monitoring window). */
const IDLE_ACTIVE = ["pending_approval", "awaiting_checklist", "scheduled"];

export async function provisionBigFleet(databaseUrl: string, opts: { instances: number; tag?: string }): Promise<BigFleet> {
  const tag = opts.tag ?? Date.now().toString(36);
  const id = `${BIG_FLEET_PREFIX}${tag}-`;
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query("BEGIN");
    await db.query(
      `INSERT INTO instances (id, name, url, version, status, maintenance_mode, update_channel, pinned_version, timezone, required_approvals, updated_at)
       SELECT $1 || lpad(i::text, 5, '0'), $1 || lpad(i::text, 5, '0'), 'http://127.0.0.1:1',
              (ARRAY['1.0.0','1.1.0','1.2.0','1.2.1','2.0.0'])[1 + i % 5],
              (CASE WHEN i % 97 = 0 THEN 'failed' WHEN i % 40 = 0 THEN 'maintenance' ELSE 'active' END)::"InstanceStatus",
              i % 40 = 0,
              (ARRAY['auto-update','manual-approval','frozen'])[1 + i % 3]::"UpdateChannel",
              CASE WHEN i % 11 = 0 THEN (ARRAY['1.0.0','1.1.0','1.2.0','1.2.1','2.0.0'])[1 + i % 5] END,
              (ARRAY['UTC','Africa/Lagos','Europe/Berlin','America/New_York','Asia/Tokyo'])[1 + i % 5],
              1 + i % 2, now()
       FROM generate_series(1, $2::int) i`,
      [id, opts.instances],
    );
    // Three instances in four have a weekly window; one in eight has a second one.
    const windows = await db.query(
      `INSERT INTO maintenance_windows (id, instance_id, day_of_week, start_minute, duration_minutes)
       SELECT $1 || lpad(i::text, 5, '0') || '-w' || w, $1 || lpad(i::text, 5, '0'), (i + w * 3) % 7, (i * 37 + w * 300) % 1380, 60 + (i % 3) * 30
       FROM generate_series(1, $2::int) i, generate_series(1, 2) w
       WHERE i % 4 <> 0 AND (w = 1 OR i % 8 = 1)`,
      [id, opts.instances],
    );
    // One instance in 25 is inside a freeze (never a fleet-wide one: that would reach every instance).
    const freezes = await db.query(
      `INSERT INTO freeze_periods (id, instance_id, starts_at, ends_at, reason)
       SELECT $1 || lpad(i::text, 5, '0') || '-f', $1 || lpad(i::text, 5, '0'), now() - interval '1 day', now() + interval '3 days', 'Bench freeze'
       FROM generate_series(1, $2::int) i WHERE i % 25 = 0`,
      [id, opts.instances],
    );
    // 20 upgrades per instance, 9 days apart, the newest within the last 9 days. s spreads the
    // outcomes evenly: 80% succeeded, 9% failed, 5% rolled back, 3% cancelled, 3% rejected.
    const upgrades = await db.query(
      `INSERT INTO upgrade_runs (id, instance_id, kind, from_version, to_version, status, trigger, started_at, finished_at, created_at, updated_at)
       SELECT $1 || lpad(i::text, 5, '0') || '-u' || j, $1 || lpad(i::text, 5, '0'), 'upgrade', '1.0.0', (ARRAY['1.1.0','1.2.0','1.2.1','2.0.0'])[1 + j % 4],
              (CASE WHEN s < 80 THEN 'succeeded' WHEN s < 89 THEN 'failed' WHEN s < 94 THEN 'rolled_back' WHEN s < 97 THEN 'cancelled' ELSE 'rejected' END)::"UpgradeStatus",
              (ARRAY['manual','api','auto_update','schedule'])[1 + (i + j) % 4]::"RunTrigger",
              t + interval '1 minute', t + interval '20 minutes', t, t + interval '20 minutes'
       FROM generate_series(1, $2::int) i, generate_series(1, 20) j,
            LATERAL (SELECT (i * 7 + j * 3) % 100 AS s, now() - (j - 1) * interval '9 days' - ((i * 13) % 216) * interval '1 hour' AS t) x`,
      [id, opts.instances],
    );
    // Every rolled-back upgrade has its rollback run (a third of them emergency rollbacks).
    const rollbacks = await db.query(
      `INSERT INTO upgrade_runs (id, instance_id, kind, from_version, to_version, status, trigger, parent_run_id, started_at, finished_at, created_at, updated_at)
       SELECT r.id || '-r', r.instance_id, (CASE WHEN right(r.id, 1)::int % 3 = 0 THEN 'emergency_rollback' ELSE 'rollback' END)::"RunKind",
              r.to_version, r.from_version, 'succeeded', 'auto_rollback', r.id, r.finished_at, r.finished_at + interval '5 minutes', r.finished_at, r.finished_at + interval '5 minutes'
       FROM upgrade_runs r WHERE r.id LIKE $1 || '%' AND r.status = 'rolled_back'`,
      [id],
    );
    // One instance in 20 has an active run, in a status that waits for a person or a future time.
    const active = await db.query(
      `INSERT INTO upgrade_runs (id, instance_id, active_instance_id, kind, from_version, to_version, status, trigger, scheduled_for, created_at, updated_at)
       SELECT $1 || lpad(i::text, 5, '0') || '-a', $1 || lpad(i::text, 5, '0'), $1 || lpad(i::text, 5, '0'), 'upgrade', '1.0.0', '2.0.0',
              ($3::text[])[1 + (i / 20) % 3]::"UpgradeStatus", 'manual',
              CASE WHEN ($3::text[])[1 + (i / 20) % 3] = 'scheduled' THEN now() + interval '30 days' END, now() - interval '1 hour', now()
       FROM generate_series(1, $2::int) i WHERE i % 20 = 0`,
      [id, opts.instances, IDLE_ACTIVE],
    );
    await db.query("COMMIT");
    return { tag, instances: opts.instances, runs: (upgrades.rowCount ?? 0) + (rollbacks.rowCount ?? 0) + (active.rowCount ?? 0), windows: windows.rowCount ?? 0, freezes: freezes.rowCount ?? 0 };
  } catch (e) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    await db.end();
  }
}

/** Removes every big-fleet row (this run's and any a crashed run left); returns the instances removed. */
export async function deleteBigFleet(databaseUrl: string): Promise<number> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    // Children first: a rollback run points at its parent (ON DELETE SET NULL would update them one by one).
    await db.query("DELETE FROM upgrade_runs WHERE id LIKE $1 || '%' AND parent_run_id IS NOT NULL", [BIG_FLEET_PREFIX]);
    const r = await db.query("DELETE FROM instances WHERE id LIKE $1 || '%'", [BIG_FLEET_PREFIX]);
    return r.rowCount ?? 0;
  } finally {
    await db.end();
  }
}

/** Rows of any big fleet still in the database, per table: all zero once `deleteBigFleet` has run. */
export async function countBigFleetRows(databaseUrl: string): Promise<Record<string, number>> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const out: Record<string, number> = {};
    for (const [table, column] of [["instances", "id"], ["upgrade_runs", "id"], ["maintenance_windows", "id"], ["freeze_periods", "id"]] as const) {
      const r = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${column} LIKE $1 || '%'`, [BIG_FLEET_PREFIX]);
      out[table] = Number(r.rows[0]?.n ?? 0);
    }
    return out;
  } finally {
    await db.end();
  }
}

/** Fresh planner statistics, as autovacuum would have them on a fleet that grew over months. */
export async function analyzeTables(ownerUrl: string): Promise<void> {
  const db = new pg.Client({ connectionString: ownerUrl });
  await db.connect();
  try {
    await db.query("ANALYZE instances, maintenance_windows, freeze_periods, upgrade_runs");
  } finally {
    await db.end();
  }
}
