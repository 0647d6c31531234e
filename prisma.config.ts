import { defineConfig } from "prisma/config";

// Prisma 7 keeps connection URLs out of schema.prisma. `generate` needs none; migrations here run
// through scripts/db/migrate.ts (see docs/migrations.md), which reads DATABASE_URL itself.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/unset" },
});
