-- AlterTable
ALTER TABLE "alerts" ADD COLUMN     "dedup_key" TEXT;

-- CreateIndex
CREATE INDEX "alerts_dedup_key_status_idx" ON "alerts"("dedup_key", "status");
