// Provisions the audit bench's entries: N rows written by SQL (generate_series) through the real
// triggers, so the database links every one into the hash chain at COMMIT exactly as it links the
// console's own entries. Batches keep each commit's link work (one advisory-locked UPDATE per row)
// short. The values are deterministic functions of the row number, with skewed distributions like
// a fleet's: a few busy system actors and users, many instances, a rare actor and a rare action.
import pg from "pg";

export const BENCH_ACTION_PREFIX = "bench.";

/** What the filters of the bench look for; every value exists in the provisioned rows. */
export const PROBES = {
  busyUser: "ops1@fleet.example",
  busyUserId: "user-1",
  quietUser: "ops40@fleet.example",
  token: "ops2@fleet.example (token ci-2)",
  rareActor: "rare@fleet.example",
  system: "auto-update",
  busyAction: "instance.upgrade.start",
  quietAction: "instance.maintenance.enable",
  rareAction: "instance.freeze.delete",
  actionPrefix: "instance.upgrade.*",
  instance: (k: number) => `inst-${k}`,
};

const ACTIONS = [
  "instance.upgrade.start", "instance.upgrade.schedule", "instance.upgrade.reschedule", "instance.upgrade.succeeded",
  "instance.upgrade.failed", "instance.upgrade.rollback", "instance.update", "instance.backup.create",
  "instance.maintenance.enable", "instance.maintenance.disable", "upgrade.approve", "upgrade.reject",
  "alert.open", "alert.resolve", "release.create", "notification.channel.update", "user.update", "token.create",
];

// One INSERT … SELECT per batch; $1 = first row number, $2 = last, $3 = the first row's time.
// Rows are 30 s apart with a little jitter, so a million span about a year.
const INSERT = `
WITH g AS (
  SELECT n,
         (abs(hashint8(n)) % 1000000) / 1000000.0 AS u1,
         (abs(hashint8(n * 7 + 1)) % 1000000) / 1000000.0 AS u2,
         (abs(hashint8(n * 13 + 2)) % 1000000) / 1000000.0 AS u3,
         (abs(hashint8(n * 31 + 3)) % 1000000) / 1000000.0 AS u4
    FROM generate_series($1::bigint, $2::bigint) AS n
), a AS (
  SELECT g.*,
         CASE WHEN n % 50000 = 7 THEN 'rare'
              WHEN u1 < 0.30 THEN 'auto-update' WHEN u1 < 0.45 THEN 'scheduler' WHEN u1 < 0.50 THEN 'post-upgrade monitor'
              WHEN u1 < 0.90 THEN 'user' WHEN u1 < 0.98 THEN 'token' ELSE 'anonymous' END AS who,
         1 + floor(50 * u2 * u2 * u2)::int AS k
    FROM g
)
INSERT INTO audit_logs (created_at, actor_type, actor_id, actor_label, action, resource_type, resource_id, result, metadata, ip, prev_hash, hash)
SELECT $3::timestamptz + (n - $1) * interval '30 seconds' + floor(u4 * 5) * interval '1 second',
       (CASE WHEN who IN ('user', 'rare') THEN 'user' WHEN who = 'token' THEN 'token' WHEN who = 'anonymous' THEN 'anonymous' ELSE 'system' END)::"ActorType",
       CASE WHEN who = 'user' THEN 'user-' || k WHEN who = 'rare' THEN 'user-rare' WHEN who = 'token' THEN 'token-' || (1 + k % 20) END,
       CASE WHEN who = 'user' THEN 'ops' || k || '@fleet.example' WHEN who = 'rare' THEN 'rare@fleet.example'
            WHEN who = 'token' THEN 'ops' || (1 + k % 20) || '@fleet.example (token ci-' || (1 + k % 20) || ')'
            WHEN who = 'anonymous' THEN NULL ELSE who END,
       CASE WHEN who = 'anonymous' THEN 'auth.login' WHEN n % 10000 = 3 THEN 'instance.freeze.delete'
            ELSE ($4::text[])[1 + floor(${ACTIONS.length} * u3 * u3)::int] END,
       CASE WHEN who = 'anonymous' THEN 'user' WHEN u4 < 0.60 THEN 'instance' WHEN u4 < 0.80 THEN 'upgrade' WHEN u4 < 0.88 THEN 'user'
            WHEN u4 < 0.93 THEN 'release' WHEN u4 < 0.97 THEN 'alert' WHEN u4 < 0.99 THEN 'notification_channel' ELSE 'token' END,
       CASE WHEN who = 'anonymous' THEN 'ops' || k || '@fleet.example' WHEN u4 < 0.60 THEN 'inst-' || (1 + (abs(hashint8(n * 17)) % 1000))
            WHEN u4 < 0.80 THEN 'run-' || (n / 8) WHEN u4 < 0.88 THEN 'user-' || k WHEN u4 < 0.93 THEN 'release-' || (n / 40000)
            WHEN u4 < 0.97 THEN 'alert-' || (n / 100) WHEN u4 < 0.99 THEN 'channel-' || (n % 40) ELSE 'token-' || (n % 20) END,
       (CASE WHEN u2 < 0.01 THEN 'denied' WHEN u2 > 0.95 THEN 'failure' ELSE 'success' END)::"AuditResult",
       jsonb_build_object('n', n, 'note', 'bench entry', 'version', '1.' || (n % 7) || '.' || (n % 13), 'ratio', round(u1::numeric, 4)),
       CASE WHEN who IN ('user', 'token', 'rare', 'anonymous') THEN '10.0.' || (k % 250) || '.' || (n % 200) END,
       '', ''
  FROM a`;

/** Appends `count` entries, `batch` rows per transaction, and returns how long it took. */
export async function provisionAuditRows(databaseUrl: string, opts: { ownerUrl: string; count: number; batch?: number; log?: (s: string) => void }): Promise<{ ms: number; total: number }> {
  const batch = opts.batch ?? 5000;
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  const t = performance.now();
  try {
    const start = new Date(Date.now() - opts.count * 30_000 - 86_400_000);
    for (let from = 1; from <= opts.count; from += batch) {
      const to = Math.min(opts.count, from + batch - 1);
      const at = new Date(start.getTime() + (from - 1) * 30_000);
      await c.query(INSERT, [from, to, at.toISOString(), ACTIONS]);
      if (opts.log && (to % 100_000 === 0 || to === opts.count)) opts.log(`${to} audit rows written (${Math.round((performance.now() - t) / 1000)} s)`);
    }
    // As the owner: only an owner may vacuum, and the planner needs the statistics.
    const owner = new pg.Client({ connectionString: opts.ownerUrl });
    await owner.connect();
    await owner.query("VACUUM (ANALYZE) audit_logs").finally(() => owner.end());
    const { rows } = await c.query<{ n: string }>("SELECT count(*)::text AS n FROM audit_logs");
    return { ms: performance.now() - t, total: Number(rows[0]?.n ?? 0) };
  } finally {
    await c.end();
  }
}
