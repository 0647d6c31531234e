-- AlterTable: rows from before keep counting; without their window length, they are given a day
-- (the longest window in use is 15 minutes) and are then removed like any other.
ALTER TABLE "rate_limit_buckets" ADD COLUMN     "expires_at" TIMESTAMPTZ(3);
UPDATE "rate_limit_buckets" SET "expires_at" = "window_start" + interval '1 day';
ALTER TABLE "rate_limit_buckets" ALTER COLUMN "expires_at" SET NOT NULL;

-- CreateIndex
CREATE INDEX "rate_limit_buckets_expires_at_idx" ON "rate_limit_buckets"("expires_at");
