-- CreateIndex: the dashboard's and the fleet alerts' rates count the upgrades that finished in a
-- period; without it each count read the whole table.
CREATE INDEX "upgrade_runs_finished_at_idx" ON "upgrade_runs"("finished_at");

-- CreateIndex: the same rates ask of every finished upgrade whether a rollback run names it as its
-- parent; without an index that correlated EXISTS was costed high enough to be JIT-compiled
-- (most of a 670 ms query at 21k runs).
CREATE INDEX "upgrade_runs_parent_run_id_idx" ON "upgrade_runs"("parent_run_id");
