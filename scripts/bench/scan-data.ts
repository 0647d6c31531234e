// The scan bench's fleet (scripts/bench/scan.ts), written with SQL in a few seconds: N instances on
// the newest of 20 platform releases (the seed's 5 and 15 of the bench's own), so that a scan has
// nothing to do, with channels, pins, windows in seven time zones, freezes, active runs, and a
// history of finished runs (one failed target in 16 instances). `releaseDay` adds one newer stable
// release, which most of the fleet may take: started, scheduled, or queued for approval. Ids carry
// the prefix, and `deleteScanFleet` removes every row it wrote (audit entries stay: the log is
// append-only).
import { withPgClient } from "../lib/ensure-database";

export const SCAN_PREFIX = "bench-scan-";
/** The 15 bench releases; the newest is what the fleet runs. */
export const SCAN_VERSIONS = Array.from({ length: 15 }, (_, k) => `3.${k}.0`);
export const NEWEST = SCAN_VERSIONS.at(-1) as string;
export const RELEASE_DAY = "3.15.0";
const ZONES = ["UTC", "Africa/Lagos", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "America/Los_Angeles"];

export type ScanFleet = { instances: number; windows: number; freezes: number; active: number; runs: number };

export async function provisionScanFleet(databaseUrl: string, instances: number): Promise<ScanFleet> {
  const id = SCAN_PREFIX;
  return withPgClient(databaseUrl, async (db) => {
    await db.query("BEGIN");
    try {
      await db.query(
        `INSERT INTO releases (id, type, version, status, released_at, changelog, updated_at)
         SELECT $1 || 'r' || v, 'platform', v, 'stable', now() - (20 - k) * interval '7 days', 'Bench release', now()
         FROM unnest($2::text[]) WITH ORDINALITY AS x(v, k)`,
        [id, SCAN_VERSIONS],
      );
      // Channels: 6 in 10 auto-update, 3 manual-approval, 1 frozen. One in 16 runs the release
      // before the newest (its newest target failed there). One in 50 is pinned to what it runs.
      await db.query(
        `INSERT INTO instances (id, name, url, version, status, update_channel, pinned_version, timezone, auto_rollback, updated_at)
         SELECT $1 || lpad(i::text, 5, '0'), $1 || lpad(i::text, 5, '0'), 'http://127.0.0.1:1',
                CASE WHEN i % 16 = 3 THEN $4 ELSE $3 END, 'active',
                (CASE WHEN i % 10 = 9 THEN 'frozen' WHEN i % 10 >= 6 THEN 'manual-approval' ELSE 'auto-update' END)::"UpdateChannel",
                CASE WHEN i % 50 = 7 THEN $3 END, ($5::text[])[1 + i % 7], i % 3 <> 0, now()
         FROM generate_series(1, $2::int) i`,
        [id, instances, NEWEST, SCAN_VERSIONS.at(-2), ZONES],
      );
      // Every instance has a weekly window but one in 20 (auto-update with none: never updated
      // automatically); one in 8 has a second.
      const windows = await db.query(
        `INSERT INTO maintenance_windows (id, instance_id, day_of_week, start_minute, duration_minutes)
         SELECT $1 || lpad(i::text, 5, '0') || '-w' || w, $1 || lpad(i::text, 5, '0'), (i + w * 3) % 7, (i * 37 + w * 300) % 1380, 60 + (i % 3) * 30
         FROM generate_series(1, $2::int) i, generate_series(1, 2) w
         WHERE i % 20 <> 5 AND (w = 1 OR i % 8 = 1)`,
        [id, instances],
      );
      const freezes = await db.query(
        `INSERT INTO freeze_periods (id, instance_id, starts_at, ends_at, reason)
         SELECT $1 || lpad(i::text, 5, '0') || '-f', $1 || lpad(i::text, 5, '0'), now() - interval '1 day' + (i % 2) * interval '3 days', now() + interval '2 days' + (i % 2) * interval '3 days', 'Bench freeze'
         FROM generate_series(1, $2::int) i WHERE i % 25 = 0`,
        [id, instances],
      );
      // History: two upgrades that succeeded, and on the instances one release behind, the newest
      // target failed.
      const history = await db.query(
        `INSERT INTO upgrade_runs (id, instance_id, kind, from_version, to_version, status, trigger, started_at, finished_at, created_at, updated_at)
         SELECT $1 || lpad(i::text, 5, '0') || '-h' || j, $1 || lpad(i::text, 5, '0'), 'upgrade', ($3::text[])[11 + j], ($3::text[])[12 + j],
                (CASE WHEN j = 3 THEN 'failed' ELSE 'succeeded' END)::"UpgradeStatus", 'auto_update', t, t + interval '20 minutes', t, t
         FROM generate_series(1, $2::int) i, generate_series(1, 3) j, LATERAL (SELECT now() - (4 - j) * interval '7 days' AS t) x
         WHERE j < 3 OR i % 16 = 3`,
        [id, instances, SCAN_VERSIONS],
      );
      // One in 20 has an active run that waits for a person.
      const active = await db.query(
        `INSERT INTO upgrade_runs (id, instance_id, active_instance_id, kind, from_version, to_version, status, trigger, created_at, updated_at)
         SELECT $1 || lpad(i::text, 5, '0') || '-a', $1 || lpad(i::text, 5, '0'), $1 || lpad(i::text, 5, '0'), 'upgrade', $3, $3, 'pending_approval', 'manual', now(), now()
         FROM generate_series(1, $2::int) i WHERE i % 20 = 0`,
        [id, instances, NEWEST],
      );
      await db.query("COMMIT");
      return { instances, windows: windows.rowCount ?? 0, freezes: freezes.rowCount ?? 0, active: active.rowCount ?? 0, runs: (history.rowCount ?? 0) + (active.rowCount ?? 0) };
    } catch (e) {
      await db.query("ROLLBACK").catch(() => undefined);
      throw e;
    }
  });
}

/** The new release of release day. */
export async function addReleaseDay(databaseUrl: string): Promise<void> {
  await withPgClient(databaseUrl, (db) =>
    db.query(`INSERT INTO releases (id, type, version, status, released_at, changelog, updated_at) VALUES ($1, 'platform', $2, 'stable', now(), 'Bench release day', now())`, [`${SCAN_PREFIX}r${RELEASE_DAY}`, RELEASE_DAY]),
  );
}

/** Removes what a scan created on the bench fleet (runs, their rows, notifications, jobs). */
export async function deleteScanRuns(databaseUrl: string): Promise<number> {
  return withPgClient(databaseUrl, async (db) => {
    const boss = await db.query<{ t: string | null }>(`SELECT to_regclass('pgboss.job')::text AS t`);
    if (boss.rows[0]?.t) await db.query(`DELETE FROM pgboss.job WHERE name = 'upgrade-run' AND data->>'runId' IN (SELECT id FROM upgrade_runs WHERE instance_id LIKE $1 || '%' AND trigger = 'auto_update' AND created_at > now() - interval '1 day')`, [SCAN_PREFIX]);
    await db.query(`DELETE FROM notification_outbox WHERE instance_id LIKE $1 || '%'`, [SCAN_PREFIX]);
    const r = await db.query(`DELETE FROM upgrade_runs WHERE instance_id LIKE $1 || '%' AND trigger = 'auto_update' AND created_at > now() - interval '1 day'`, [SCAN_PREFIX]);
    return r.rowCount ?? 0;
  });
}

/** Removes the bench fleet and its releases; returns the instances removed. */
export async function deleteScanFleet(databaseUrl: string): Promise<number> {
  await deleteScanRuns(databaseUrl);
  return withPgClient(databaseUrl, async (db) => {
    await db.query(`DELETE FROM notification_outbox WHERE instance_id LIKE $1 || '%'`, [SCAN_PREFIX]);
    const r = await db.query(`DELETE FROM instances WHERE id LIKE $1 || '%'`, [SCAN_PREFIX]);
    await db.query(`DELETE FROM releases WHERE id LIKE $1 || '%'`, [SCAN_PREFIX]);
    return r.rowCount ?? 0;
  });
}

/** Baseline of "nothing to do": one query that finds the same candidates the scan looks for. */
export const CANDIDATES_SQL = `
SELECT i.id, max(r.version) AS target
  FROM instances i
  JOIN releases r ON r.type = 'platform' AND r.status = 'stable'
                 AND string_to_array(r.version, '.')::int[] > string_to_array(i.version, '.')::int[]
                 AND (i.pinned_version IS NULL OR i.pinned_version = r.version)
 WHERE i.status = 'active' AND i.update_channel <> 'frozen'
   AND NOT EXISTS (SELECT 1 FROM upgrade_runs a WHERE a.active_instance_id = i.id)
   AND NOT EXISTS (SELECT 1 FROM freeze_periods f WHERE (f.instance_id = i.id OR f.instance_id IS NULL) AND f.starts_at <= now() AND f.ends_at > now())
   AND NOT EXISTS (SELECT 1 FROM upgrade_runs b WHERE b.instance_id = i.id AND b.kind = 'upgrade'
                     AND b.status IN ('rejected', 'failed', 'rolled_back', 'cancelled') AND b.to_version = r.version)
 GROUP BY i.id`;

/** Baseline of release day: one INSERT of `count` run rows (not active), removed again after. */
export async function bulkInsertRuns(databaseUrl: string, count: number): Promise<number> {
  return withPgClient(databaseUrl, async (db) => {
    const t = performance.now();
    await db.query(
      `INSERT INTO upgrade_runs (id, instance_id, kind, from_version, to_version, status, trigger, policy_reason, rollback_plan, updated_at)
       SELECT $1 || 'baseline-' || id, id, 'upgrade', version, $3, 'scheduled', 'auto_update', 'Bench baseline row', 'Bench baseline row', now()
       FROM instances WHERE id LIKE $1 || '%' ORDER BY id LIMIT $2`,
      [SCAN_PREFIX, count, RELEASE_DAY],
    );
    const ms = performance.now() - t;
    await db.query(`DELETE FROM upgrade_runs WHERE id LIKE $1 || 'baseline-%'`, [SCAN_PREFIX]);
    return ms;
  });
}
