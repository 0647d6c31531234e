-- The commit-time link handles all of a transaction's entries in one call.
--
-- The constraint trigger fires once per pending entry. Each call used to take the lock, read the
-- checkpoint (audit_chain.head), link one entry and move the checkpoint: a transaction that wrote
-- N entries updated the one checkpoint row N times. Those versions cannot be pruned before the
-- commit, so each later read scanned all of them (quadratic: 1,000 entries in one transaction took
-- 1.6 s to commit). Now the first call links every entry still pending, in the order they were
-- written (id order), reads the checkpoint once and moves it once; the later calls find their
-- entry linked and return. The chain, its hashes and the checkpoint are exactly as before.
CREATE OR REPLACE FUNCTION audit_logs_link() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  e "audit_logs";
  queued bigint;
  head_seq bigint;
  head_hash text;
  prior_hash text;
  linked boolean := false;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "audit_chain"."pending" WHERE "audit_log_id" = NEW."audit_log_id") THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(727001);
  -- A statement of its own, so under READ COMMITTED it sees the head the last holder committed.
  SELECT "seq", "hash" INTO STRICT head_seq, head_hash FROM "audit_chain"."head";
  -- Each entry by its primary key: the queue's statistics say it is empty, and a join let the
  -- planner scan every pending entry once per queued one.
  FOR queued IN SELECT "audit_log_id" FROM "audit_chain"."pending" ORDER BY "audit_log_id" LOOP
    SELECT * INTO e FROM "audit_logs" WHERE "id" = queued;
    CONTINUE WHEN NOT FOUND OR e."seq" IS NOT NULL;
    prior_hash := head_hash;
    head_seq := head_seq + 1;
    head_hash := audit_entry_hash_v2(head_seq, prior_hash, e);
    UPDATE "audit_logs" SET "seq" = head_seq, "prev_hash" = prior_hash, "hash" = head_hash WHERE "id" = e."id";
    linked := true;
  END LOOP;
  IF linked THEN
    UPDATE "audit_chain"."head" SET "seq" = head_seq, "hash" = head_hash, "moved_at" = now();
    DELETE FROM "audit_chain"."pending" p WHERE (SELECT a."seq" FROM "audit_logs" a WHERE a."id" = p."audit_log_id") IS NOT NULL;
  END IF;
  RETURN NULL;
END;
$$;
