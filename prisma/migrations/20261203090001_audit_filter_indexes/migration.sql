-- The audit log's filters each get an index ending in (created_at, id), the order its pages are
-- listed in, so that a page is one range scan whatever the filter (lib/audit/audit-query.ts). The
-- indexes they replace led with the same columns.

-- DropIndex
DROP INDEX "audit_logs_action_idx";

-- DropIndex
DROP INDEX "audit_logs_actor_id_idx";

-- DropIndex
DROP INDEX "audit_logs_created_at_idx";

-- DropIndex
DROP INDEX "audit_logs_resource_type_resource_id_idx";

-- CreateIndex
CREATE INDEX "audit_logs_created_at_id_idx" ON "audit_logs"("created_at", "id");

-- CreateIndex
CREATE INDEX "audit_logs_actor_id_created_at_id_idx" ON "audit_logs"("actor_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "audit_logs_actor_label_created_at_id_idx" ON "audit_logs"("actor_label", "created_at", "id");

-- CreateIndex
CREATE INDEX "audit_logs_action_created_at_id_idx" ON "audit_logs"("action", "created_at", "id");

-- CreateIndex
CREATE INDEX "audit_logs_resource_type_created_at_id_idx" ON "audit_logs"("resource_type", "created_at", "id");

-- CreateIndex
CREATE INDEX "audit_logs_resource_id_created_at_id_idx" ON "audit_logs"("resource_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "audit_logs_result_created_at_id_idx" ON "audit_logs"("result", "created_at", "id");
