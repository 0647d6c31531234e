-- Status-page links are stored as the sha256 of their token, as API tokens are; the link is
-- shown once, at creation. Existing links keep working: their tokens are hashed in place.
-- (PostgreSQL's built-in sha256(bytea), so no pgcrypto is needed.)

-- AlterTable
ALTER TABLE "status_page_tokens" ADD COLUMN     "prefix" TEXT;
UPDATE "status_page_tokens" SET "prefix" = left("token", 6), "token" = encode(sha256(convert_to("token", 'UTF8')), 'hex');
ALTER TABLE "status_page_tokens" ALTER COLUMN "prefix" SET NOT NULL;
ALTER TABLE "status_page_tokens" RENAME COLUMN "token" TO "token_hash";

-- RenameIndex
ALTER INDEX "status_page_tokens_token_key" RENAME TO "status_page_tokens_token_hash_key";
