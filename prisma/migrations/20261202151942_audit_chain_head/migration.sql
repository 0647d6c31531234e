-- The chain's head (its newest seq and hash), kept where the console's role cannot rewrite it, so
-- that deleting the newest entries is noticed: the hash chain alone cannot tell a chain that
-- lost its tail from a shorter one. The commit-time link moves it; a trigger lets it only move
-- forward and refuses DELETE and TRUNCATE. The console's role may only read it
-- (scripts/lib/app-role.ts), and verification and /metrics compare it with the chain.
-- In audit_chain, out of Prisma's schema, like the link queue.
CREATE TABLE "audit_chain"."head" (
  "singleton" BOOLEAN NOT NULL DEFAULT true PRIMARY KEY CHECK ("singleton"),
  "seq" BIGINT NOT NULL,
  "hash" TEXT NOT NULL,
  "moved_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);

INSERT INTO "audit_chain"."head" ("seq", "hash")
SELECT coalesce(max("seq"), 0), coalesce((SELECT "hash" FROM "audit_logs" WHERE "seq" IS NOT NULL ORDER BY "seq" DESC LIMIT 1), repeat('0', 64))
  FROM "audit_logs";

CREATE FUNCTION audit_chain_head_forward_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW."seq" > OLD."seq" AND NEW."singleton" THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit chain head only moves forward: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER head_forward_only
  BEFORE UPDATE OR DELETE ON "audit_chain"."head"
  FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward_only();

CREATE TRIGGER head_no_truncate
  BEFORE TRUNCATE ON "audit_chain"."head"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_forward_only();

-- Linking now reads the head from here and moves it, in the same commit.
CREATE OR REPLACE FUNCTION audit_logs_link() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  e "audit_logs";
  head_seq bigint;
  head_hash text;
  new_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(727001);
  SELECT * INTO STRICT e FROM "audit_logs" WHERE "id" = NEW."audit_log_id";
  -- A statement of its own, so under READ COMMITTED it sees the head the last holder committed.
  SELECT "seq", "hash" INTO STRICT head_seq, head_hash FROM "audit_chain"."head";
  head_seq := head_seq + 1;
  new_hash := audit_entry_hash_v2(head_seq, head_hash, e);
  UPDATE "audit_logs" SET "seq" = head_seq, "prev_hash" = head_hash, "hash" = new_hash WHERE "id" = e."id";
  UPDATE "audit_chain"."head" SET "seq" = head_seq, "hash" = new_hash, "moved_at" = now();
  DELETE FROM "audit_chain"."pending" WHERE "audit_log_id" = e."id";
  RETURN NULL;
END;
$$;
