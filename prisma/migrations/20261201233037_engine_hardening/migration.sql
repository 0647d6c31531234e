-- AlterEnum
ALTER TYPE "StepStatus" ADD VALUE 'interrupted';

-- AlterTable
ALTER TABLE "instances" ADD COLUMN     "attention_at" TIMESTAMPTZ(3),
ADD COLUMN     "attention_reason" TEXT;

-- AlterTable
ALTER TABLE "upgrade_runs" ADD COLUMN     "lease_epoch" BIGSERIAL NOT NULL;
