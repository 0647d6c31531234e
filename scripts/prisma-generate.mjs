// Runs `prisma generate` offline. Generate never calls the schema engine, but the CLI insists on
// finding its native binary, which cannot be downloaded on these machines; /bin/true satisfies it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const cli = "node_modules/prisma/build/index.js";
if (!existsSync(cli)) {
  console.error("prisma CLI is missing: run `npm install` first.");
  process.exit(1);
}
const result = spawnSync(process.execPath, [cli, "generate"], {
  stdio: "inherit",
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? "/bin/true" },
});
process.exit(result.status ?? 1);
