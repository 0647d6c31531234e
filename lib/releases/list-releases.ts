import "server-only";
import { z } from "zod";
import { getDb } from "@/lib/db";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { compareVersions } from "@/lib/versions";

export const versionsQuerySchema = z.object({
  type: z.enum(["platform"], { message: "type must be platform" }).default("platform"),
  status: z.enum(["stable", "beta", "deprecated"], { message: "status must be stable, beta or deprecated" }).optional(),
});

export type ReleaseDto = {
  version: string;
  type: string;
  status: string;
  breaking: boolean;
  security: boolean;
  critical: boolean;
  releasedAt: string;
  changelog: string;
  minUpgradeFrom: string | null;
};

// Newest first.
export async function listReleases(opts: { actor: Actor | null; query: z.infer<typeof versionsQuerySchema> }): Promise<ReleaseDto[]> {
  requirePermission(opts.actor, "release:read");
  const rows = await getDb().release.findMany({
    where: { type: opts.query.type, ...(opts.query.status ? { status: opts.query.status } : {}) },
  });
  return rows
    .sort((a, b) => compareVersions(b.version, a.version))
    .map((r) => ({
      version: r.version,
      type: r.type,
      status: r.status,
      breaking: r.breaking,
      security: r.security,
      critical: r.critical,
      releasedAt: r.releasedAt.toISOString(),
      changelog: r.changelog,
      minUpgradeFrom: r.minUpgradeFrom,
    }));
}
