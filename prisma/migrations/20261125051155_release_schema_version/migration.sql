-- AlterTable
ALTER TABLE "releases" ADD COLUMN     "schema_version" TEXT;
