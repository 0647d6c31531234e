-- The audit chain is linked at COMMIT instead of when an entry is written.
--
-- recordAudit() used to take one global advisory lock, read the newest hash and insert the entry,
-- holding the lock until its transaction ended: one slow transaction stalled (and, past Prisma's
-- transaction timeout, failed) every other audited change. Now the entry is inserted "pending"
-- (seq NULL) without a lock, and a DEFERRABLE INITIALLY DEFERRED constraint trigger links it at
-- COMMIT: it takes the same advisory lock, reads the head, and sets seq, prev_hash and hash. The
-- lock is held only for the rest of the commit. The chain is in commit order (seq), which is no
-- longer id order.
--
-- The database computes the hash of the entries it links: version 2 (hash_version), the same text
-- as canonicalTextV2() in lib/audit/hash.ts, which verify-audit-chain.ts recomputes. Rows written
-- before this migration keep version 1 (entryHash() there) and still verify.

-- CreateColumn
ALTER TABLE "audit_logs" ADD COLUMN "seq" BIGINT;
ALTER TABLE "audit_logs" ADD COLUMN "hash_version" SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE "audit_logs" ALTER COLUMN "hash_version" SET DEFAULT 2;

-- Existing rows were chained in id order.
DROP TRIGGER "audit_logs_no_update_delete" ON "audit_logs";
UPDATE "audit_logs" a SET "seq" = o.n FROM (SELECT "id", row_number() OVER (ORDER BY "id") AS n FROM "audit_logs") o WHERE a."id" = o."id";

-- CreateIndex
CREATE UNIQUE INDEX "audit_logs_seq_key" ON "audit_logs"("seq");

-- canonicalTextV2() of lib/audit/hash.ts, hashed.
CREATE FUNCTION audit_entry_hash_v2(seq bigint, prev_hash text, e "audit_logs") RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(
    '{"v":2,"seq":' || seq::text
    || ',"prevHash":' || to_json(prev_hash)::text
    || ',"createdAt":' || to_json(to_char(e."created_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text
    || ',"actorType":' || to_json(e."actor_type"::text)::text
    || ',"actorId":' || coalesce(to_json(e."actor_id")::text, 'null')
    || ',"actorLabel":' || coalesce(to_json(e."actor_label")::text, 'null')
    || ',"action":' || to_json(e."action")::text
    || ',"resourceType":' || to_json(e."resource_type")::text
    || ',"resourceId":' || coalesce(to_json(e."resource_id")::text, 'null')
    || ',"result":' || to_json(e."result"::text)::text
    || ',"ip":' || coalesce(to_json(e."ip")::text, 'null')
    || ',"metadata":' || e."metadata"::text
    || '}', 'UTF8')), 'hex')
$$;

-- Whatever the writer sent, a new entry starts pending; only the commit-time trigger links it.
CREATE FUNCTION audit_logs_start_pending() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW."seq" := NULL;
  NEW."prev_hash" := '';
  NEW."hash" := 'pending:' || NEW."id";
  NEW."hash_version" := 2;
  RETURN NEW;
END;
$$;

CREATE TRIGGER audit_logs_start_pending
  BEFORE INSERT ON "audit_logs"
  FOR EACH ROW EXECUTE FUNCTION audit_logs_start_pending();

-- At COMMIT: link the entry after the chain's current head. The deferred trigger sits on a queue
-- table in a schema of its own, because Prisma's schema engine cannot introspect a constraint
-- trigger on a table it manages. SECURITY DEFINER: the app's role has no UPDATE on audit_logs and
-- no rights in audit_chain.
CREATE SCHEMA "audit_chain";
CREATE TABLE "audit_chain"."pending" ("audit_log_id" BIGINT NOT NULL PRIMARY KEY);

CREATE FUNCTION audit_logs_queue_link() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO "audit_chain"."pending" ("audit_log_id") VALUES (NEW."id");
  RETURN NULL;
END;
$$;

CREATE TRIGGER audit_logs_queue_link
  AFTER INSERT ON "audit_logs"
  FOR EACH ROW EXECUTE FUNCTION audit_logs_queue_link();

-- 727001 is the lock recordAudit() used to take; now it is held only from here to the end of the
-- commit.
CREATE FUNCTION audit_logs_link() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  e "audit_logs";
  head_seq bigint;
  head_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(727001);
  SELECT * INTO STRICT e FROM "audit_logs" WHERE "id" = NEW."audit_log_id";
  -- A statement of its own, so under READ COMMITTED it sees the head the last holder committed.
  SELECT "seq", "hash" INTO head_seq, head_hash FROM "audit_logs" WHERE "seq" IS NOT NULL ORDER BY "seq" DESC LIMIT 1;
  head_seq := coalesce(head_seq, 0) + 1;
  head_hash := coalesce(head_hash, repeat('0', 64));
  UPDATE "audit_logs" SET "seq" = head_seq, "prev_hash" = head_hash, "hash" = audit_entry_hash_v2(head_seq, head_hash, e) WHERE "id" = e."id";
  DELETE FROM "audit_chain"."pending" WHERE "audit_log_id" = e."id";
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER link
  AFTER INSERT ON "audit_chain"."pending"
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION audit_logs_link();

-- Still append-only. The one UPDATE allowed is the link above: from inside a trigger, on a
-- pending entry, touching only the chain's columns.
CREATE FUNCTION audit_logs_guard_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF pg_trigger_depth() > 1 AND OLD."seq" IS NULL AND NEW."seq" IS NOT NULL
    AND (NEW."id", NEW."created_at", NEW."actor_type", NEW."actor_id", NEW."actor_label", NEW."action", NEW."resource_type", NEW."resource_id", NEW."result", NEW."metadata", NEW."ip", NEW."hash_version")
      IS NOT DISTINCT FROM (OLD."id", OLD."created_at", OLD."actor_type", OLD."actor_id", OLD."actor_label", OLD."action", OLD."resource_type", OLD."resource_id", OLD."result", OLD."metadata", OLD."ip", OLD."hash_version") THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_logs is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_logs_no_update
  BEFORE UPDATE ON "audit_logs"
  FOR EACH ROW EXECUTE FUNCTION audit_logs_guard_update();

CREATE TRIGGER audit_logs_no_delete
  BEFORE DELETE ON "audit_logs"
  FOR EACH ROW EXECUTE FUNCTION audit_logs_refuse_change();
