-- Back to 1.x: the latest run of each job folds into the job's own columns again.
ALTER TABLE jobs ADD COLUMN started_at timestamptz, ADD COLUMN finished_at timestamptz, ADD COLUMN claimed_by text;

UPDATE jobs j SET started_at = r.started_at, finished_at = r.finished_at, claimed_by = r.worker
FROM (SELECT DISTINCT ON (job_id) job_id, worker, started_at, finished_at FROM job_runs ORDER BY job_id, id DESC) r
WHERE r.job_id = j.id;

DROP TABLE job_runs;
