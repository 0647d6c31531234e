import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-definitions": ["error", "type"],
      // One module (lib/env.ts) reads the environment; everything else asks it.
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read configuration through lib/env.ts." }],
    },
  },
  {
    // Launchers and tooling hand the environment to child processes and read it before lib/env
    // can be loaded.
    files: ["lib/env.ts", "scripts/**", "e2e/**", "playwright.config.ts", "vitest.config.ts", "prisma.config.ts", "examples/**", "**/*.test.ts", "test/**"],
    rules: { "no-restricted-properties": "off" },
  },
  globalIgnores([".next/**", "generated/**", "node_modules/**", ".data/**", ".test-data/**", ".bench-data/**", "next-env.d.ts", "test-results/**", "playwright-report/**"]),
]);
