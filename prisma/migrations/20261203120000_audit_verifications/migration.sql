-- Verifications of the audit chain. A passed one is a checkpoint that later verifications start
-- from, so checking the chain after a few new entries reads only those (lib/audit/verifications.ts).
-- A full re-verification is a worker job; its row holds its lease and its progress, and
-- `active_full` (true while one is queued or running, NULL otherwise) allows one at a time.

-- CreateEnum
CREATE TYPE "AuditVerificationKind" AS ENUM ('incremental', 'full');

-- CreateEnum
CREATE TYPE "AuditVerificationStatus" AS ENUM ('queued', 'running', 'passed', 'failed');

-- CreateTable
CREATE TABLE "audit_verifications" (
    "id" TEXT NOT NULL,
    "kind" "AuditVerificationKind" NOT NULL,
    "status" "AuditVerificationStatus" NOT NULL,
    "active_full" BOOLEAN,
    "requested_by_id" TEXT,
    "requested_by" TEXT,
    "from_seq" BIGINT NOT NULL DEFAULT 0,
    "through_seq" BIGINT,
    "through_hash" TEXT,
    "checked" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER,
    "problem" TEXT,
    "reason" TEXT,
    "broken_at_id" BIGINT,
    "lease_owner" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),
    "lease_epoch" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "audit_verifications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "audit_verifications_active_full_key" ON "audit_verifications"("active_full");

-- CreateIndex
CREATE INDEX "audit_verifications_status_through_seq_idx" ON "audit_verifications"("status", "through_seq");

-- CreateIndex
CREATE INDEX "audit_verifications_kind_created_at_idx" ON "audit_verifications"("kind", "created_at");
