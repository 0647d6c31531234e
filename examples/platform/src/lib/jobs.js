// The job queue's SQL. 1.x keeps a job's run in its own row; 2.0.0 (migration 0004) moves runs to
// job_runs. Each release's code speaks only its own schema, as a real release would.
import { hasJobRuns } from "./release.js";

const legacy = {
  async claim(db, worker) {
    // SKIP LOCKED: concurrent claimers never wait on, or take, the same row.
    const { rows } = await db.query(
      `WITH next AS (SELECT id FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
       UPDATE jobs j SET status = 'active', started_at = now(), finished_at = NULL, claimed_by = $1
       FROM next WHERE j.id = next.id
       RETURNING j.id, j.kind, j.duration_ms AS "durationMs", NULL::integer AS "runId"`,
      [worker],
    );
    return rows[0] ?? null;
  },
  async finish(db, job, status) {
    await db.query("UPDATE jobs SET status = $2, finished_at = now() WHERE id = $1", [job.id, status]);
  },
  async requeue(db, job) {
    await db.query("UPDATE jobs SET status = 'queued', started_at = NULL, claimed_by = NULL WHERE id = $1 AND status = 'active'", [job.id]);
  },
  async active(db) {
    const { rows } = await db.query(`SELECT id, kind, status, started_at AS "startedAt" FROM jobs WHERE status = 'active' ORDER BY id`);
    return rows;
  },
  async reapOrphans(db) {
    // A job is orphaned when the worker that claimed it has no session left (it crashed or was killed).
    const { rowCount } = await db.query(
      `UPDATE jobs SET status = 'queued', started_at = NULL, claimed_by = NULL
       WHERE status = 'active' AND (claimed_by IS NULL OR claimed_by NOT IN
         (SELECT application_name FROM pg_stat_activity WHERE datname = current_database()))`,
    );
    return rowCount;
  },
};

const withRuns = {
  async claim(db, worker) {
    const { rows } = await db.query(
      `WITH next AS (SELECT id FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED),
       claimed AS (UPDATE jobs j SET status = 'active' FROM next WHERE j.id = next.id RETURNING j.id, j.kind, j.duration_ms),
       run AS (INSERT INTO job_runs (job_id, worker) SELECT id, $1 FROM claimed RETURNING id, job_id)
       SELECT c.id, c.kind, c.duration_ms AS "durationMs", run.id AS "runId" FROM claimed c JOIN run ON run.job_id = c.id`,
      [worker],
    );
    return rows[0] ?? null;
  },
  async finish(db, job, status) {
    await db.query(
      `WITH r AS (UPDATE job_runs SET finished_at = now() WHERE id = $3) UPDATE jobs SET status = $2 WHERE id = $1`,
      [job.id, status, job.runId],
    );
  },
  async requeue(db, job) {
    await db.query(
      `WITH r AS (UPDATE job_runs SET finished_at = now() WHERE id = $2) UPDATE jobs SET status = 'queued' WHERE id = $1 AND status = 'active'`,
      [job.id, job.runId],
    );
  },
  async active(db) {
    const { rows } = await db.query(
      `SELECT j.id, j.kind, j.status, r.started_at AS "startedAt" FROM jobs j
       LEFT JOIN LATERAL (SELECT started_at FROM job_runs WHERE job_id = j.id ORDER BY id DESC LIMIT 1) r ON true
       WHERE j.status = 'active' ORDER BY j.id`,
    );
    return rows;
  },
  async reapOrphans(db) {
    const { rowCount } = await db.query(
      `WITH orphans AS (
         SELECT j.id, r.id AS run_id FROM jobs j
         LEFT JOIN LATERAL (SELECT id, worker FROM job_runs WHERE job_id = j.id ORDER BY id DESC LIMIT 1) r ON true
         WHERE j.status = 'active' AND (r.worker IS NULL OR r.worker NOT IN
           (SELECT application_name FROM pg_stat_activity WHERE datname = current_database()))),
       closed AS (UPDATE job_runs SET finished_at = now() WHERE id IN (SELECT run_id FROM orphans) AND finished_at IS NULL)
       UPDATE jobs SET status = 'queued' WHERE id IN (SELECT id FROM orphans)`,
    );
    return rowCount;
  },
};

const impl = hasJobRuns ? withRuns : legacy;

export const jobs = {
  ...impl,
  async enqueue(db, kind, durationMs) {
    const { rows } = await db.query(
      `INSERT INTO jobs (kind, duration_ms) VALUES ($1, $2) RETURNING id, kind, status, duration_ms AS "durationMs", enqueued_at AS "enqueuedAt"`,
      [kind, durationMs],
    );
    return rows[0];
  },
  async queueDepth(db) {
    const { rows } = await db.query("SELECT count(*)::integer AS n FROM jobs WHERE status = 'queued'");
    return rows[0].n;
  },
};

export const PAUSE_KEY = "jobs_paused";
