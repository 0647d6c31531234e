import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // `server-only` throws outside React Server Components; under Vitest these modules run in
      // plain Node, which is what the marker is there to allow.
      "server-only": path.resolve(import.meta.dirname, "test/support/server-only.ts"),
    },
  },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", "e2e/**", "examples/**/node_modules/**", ".test-data/**", ".data/**", ".bench-data/**"],
    environment: "node",
    // One shared database per run: files run one at a time so their fixtures do not interleave.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ["test/support/require-env.ts"],
  },
});
