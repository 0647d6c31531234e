// `npm run token:create -- --email EMAIL --name NAME [--expires-in-days N]`
// Creates an API token for an existing user and prints the token alone on stdout, so a script
// can capture it. Uses DATABASE_URL, or the private database of `npm start`.
import { parseArgs } from "node:util";
import path from "node:path";
import { z } from "zod";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client";
import { generateApiToken } from "../lib/auth/tokens";
import { recordAudit } from "../lib/audit/record-audit";
import { startLocalPostgres, type LocalPostgres } from "./lib/local-postgres";
import { consoleDataDir } from "./lib/data-dir";

const args = z
  .object({
    email: z.string().trim().toLowerCase().email("--email must be an email address"),
    name: z.string().trim().min(1, "--name is required").max(80),
    "expires-in-days": z.coerce.number().int().min(1).max(3650).optional(),
  })
  .safeParse(parseArgs({ options: { email: { type: "string" }, name: { type: "string" }, "expires-in-days": { type: "string" } } }).values);

if (!args.success) {
  console.error(args.error.issues.map((i) => i.message).join("\n"));
  console.error("usage: npm run token:create -- --email EMAIL --name NAME [--expires-in-days N]");
  process.exit(2);
}

let pg: LocalPostgres | undefined;
let url = process.env.DATABASE_URL;
if (!url) {
  // Logs go to stderr: stdout carries the token alone.
  pg = await startLocalPostgres({ dataDir: path.join(consoleDataDir(path.resolve(import.meta.dirname, "..")), "postgres"), log: (l) => console.error(l) });
  url = pg.appUrl("upgrade_console"); // as the console itself: scripts/lib/app-role.ts
}
const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
let exitCode = 0;
try {
  const user = await db.user.findUnique({ where: { email: args.data.email } });
  if (!user || user.disabledAt) {
    console.error(`No active user with email ${args.data.email}.`);
    exitCode = 1;
  } else {
    const { token, hash, prefix } = generateApiToken();
    const days = args.data["expires-in-days"];
    const expiresAt = days ? new Date(Date.now() + days * 86_400_000) : null;
    await db.$transaction(async (tx) => {
      const row = await tx.apiToken.create({ data: { userId: user.id, name: args.data.name, tokenHash: hash, prefix, expiresAt } });
      await recordAudit(tx, { type: "system", label: "token:create CLI" }, {
        action: "api_token.create",
        resourceType: "api_token",
        resourceId: row.id,
        metadata: { name: args.data.name, owner: user.email, prefix, via: "cli" },
      });
    });
    process.stdout.write(token + "\n");
  }
} catch (e) {
  console.error(`Could not create the token: ${e instanceof Error ? e.message : String(e)}`);
  exitCode = 1;
} finally {
  await db.$disconnect();
  pg?.stop();
}
process.exit(exitCode);
