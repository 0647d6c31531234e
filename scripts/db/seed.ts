// Seeds the zero-config demo the first time the console starts on an empty database: three
// accounts, the reference platform's releases, and a demo fleet with one instance per channel.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma/client";
import { hashPassword } from "../../lib/auth/password";
import { recordAudit } from "../../lib/audit/record-audit";

const feedSchema = z.object({
  releases: z.array(
    z.object({
      version: z.string(),
      status: z.enum(["stable", "beta", "deprecated"]),
      breaking: z.boolean(),
      security: z.boolean(),
      critical: z.boolean().default(false),
      releasedAt: z.string(),
      minUpgradeFrom: z.string().nullable(),
      changelog: z.string(),
      configRequirements: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
});

export const DEMO_ACCOUNTS = [
  { email: "admin@webwaka.local", name: "Ada Admin", role: "superadmin" },
  { email: "approver@webwaka.local", name: "Ayo Approver", role: "approver" },
  { email: "viewer@webwaka.local", name: "Vera Viewer", role: "viewer" },
] as const;

export type SeedResult = { seeded: false } | { seeded: true; password: string; generated: boolean };

export async function seedDemo(databaseUrl: string, opts: { password?: string } = {}): Promise<SeedResult> {
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  try {
    if ((await db.user.count()) > 0) return { seeded: false };
    const generated = !opts.password;
    const password = opts.password ?? randomBytes(12).toString("base64url");
    const passwordHash = await hashPassword(password);
    const feed = feedSchema.parse(JSON.parse(readFileSync(path.join(import.meta.dirname, "../../examples/platform/feed.json"), "utf8")));

    await db.$transaction(async (tx) => {
      // Another starter may race us on a shared database: the advisory lock makes one of them win.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(727003)`;
      if ((await tx.user.count()) > 0) return;
      for (const a of DEMO_ACCOUNTS) await tx.user.create({ data: { ...a, passwordHash } });
      for (const r of feed.releases) {
        await tx.release.create({
          data: {
            version: r.version,
            status: r.status,
            breaking: r.breaking,
            security: r.security,
            critical: r.critical,
            releasedAt: new Date(r.releasedAt),
            changelog: r.changelog,
            minUpgradeFrom: r.minUpgradeFrom,
            ...(r.configRequirements ? { configRequirements: r.configRequirements as object } : {}),
          },
        });
      }
      await tx.instance.create({
        data: {
          name: "lagos-production",
          url: "http://127.0.0.1:4101",
          version: "1.1.0",
          updateChannel: "manual_approval",
          timezone: "Africa/Lagos",
          requiredApprovals: 1,
          monitoringWindowMinutes: 10,
          maintenanceWindows: { create: [{ dayOfWeek: 0, startMinute: 120, durationMinutes: 120 }, { dayOfWeek: 3, startMinute: 1320, durationMinutes: 60 }] },
        },
      });
      await tx.instance.create({
        data: {
          name: "abuja-staging",
          url: "http://127.0.0.1:4102",
          version: "1.0.0",
          updateChannel: "auto_update",
          timezone: "Africa/Lagos",
          // Short windows suit a demo; real instances keep the 24 h default.
          monitoringWindowMinutes: 10,
          // No weekly window, so a manual upgrade of this demo instance starts at once.
        },
      });
      await tx.instance.create({
        data: { name: "kano-lts", url: "http://127.0.0.1:4103", version: "1.2.0", updateChannel: "frozen", pinnedVersion: "1.2.0", timezone: "Africa/Lagos", monitoringWindowMinutes: 10 },
      });

      // The seed is a change like any other, so it opens the audit chain.
      await recordAudit(tx, { type: "system", label: "demo seed" }, {
        action: "demo.seed",
        resourceType: "console",
        metadata: { accounts: DEMO_ACCOUNTS.map((a) => a.email), releases: feed.releases.map((r) => r.version), instances: 3 },
      });
    });
    return { seeded: true, password, generated };
  } finally {
    await db.$disconnect();
  }
}

// `npm run db:seed` seeds the database at DATABASE_URL.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("Set DATABASE_URL to the database to seed.");
    process.exit(2);
  }
  const result = await seedDemo(url, { password: process.env.DEMO_PASSWORD });
  if (!result.seeded) console.log("The database already has users; nothing seeded.");
  else console.log(`Seeded the demo. Password for the demo accounts: ${result.generated ? result.password : "(DEMO_PASSWORD)"}`);
}
