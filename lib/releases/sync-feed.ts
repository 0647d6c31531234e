import "server-only";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { getDb } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record-audit";
import { SEMVER_RE } from "@/lib/versions";

const feedSchema = z.object({
  releases: z.array(
    z.object({
      version: z.string().regex(SEMVER_RE),
      status: z.enum(["stable", "beta", "deprecated"]),
      breaking: z.boolean(),
      security: z.boolean(),
      critical: z.boolean().default(false),
      releasedAt: z.string(),
      minUpgradeFrom: z.string().nullable(),
      schemaVersion: z.string().regex(/^\d{4}$/),
      changelog: z.string(),
      configRequirements: z.record(z.string(), z.unknown()).optional(),
      artifacts: z.object({
        bundle: z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), sizeBytes: z.number().int() }).optional(),
        appImage: z.object({ reference: z.string(), digest: z.string() }).optional(),
        workerImage: z.object({ reference: z.string(), digest: z.string() }).optional(),
      }),
    }),
  ),
});

/**
 * Upserts the releases of a feed file (the reference platform's `build.mjs` writes one) with
 * their artifacts. Bundle paths in the feed are relative to the feed file.
 */
export async function syncReleaseFeed(feedFile: string): Promise<{ versions: string[] }> {
  const feed = feedSchema.parse(JSON.parse(await readFile(feedFile, "utf8")));
  const dir = path.dirname(path.resolve(feedFile));
  const db = getDb();
  await db.$transaction(async (tx) => {
    for (const r of feed.releases) {
      const data = {
        status: r.status,
        breaking: r.breaking,
        security: r.security,
        critical: r.critical,
        releasedAt: new Date(r.releasedAt),
        minUpgradeFrom: r.minUpgradeFrom,
        schemaVersion: r.schemaVersion,
        changelog: r.changelog,
        configRequirements: (r.configRequirements ?? undefined) as object | undefined,
      };
      const release = await tx.release.upsert({ where: { type_version: { type: "platform", version: r.version } }, create: { type: "platform", version: r.version, ...data }, update: data, select: { id: true } });
      const artifacts = [
        r.artifacts.bundle ? { kind: "bundle" as const, reference: path.resolve(dir, r.artifacts.bundle.path), sha256: r.artifacts.bundle.sha256, digest: null, sizeBytes: BigInt(r.artifacts.bundle.sizeBytes) } : null,
        r.artifacts.appImage ? { kind: "app_image" as const, reference: r.artifacts.appImage.reference, digest: r.artifacts.appImage.digest, sha256: null, sizeBytes: null } : null,
        r.artifacts.workerImage ? { kind: "worker_image" as const, reference: r.artifacts.workerImage.reference, digest: r.artifacts.workerImage.digest, sha256: null, sizeBytes: null } : null,
      ].filter((a) => a !== null);
      for (const a of artifacts) {
        await tx.releaseArtifact.upsert({ where: { releaseId_kind: { releaseId: release.id, kind: a.kind } }, create: { releaseId: release.id, ...a }, update: a });
      }
    }
    await recordAudit(tx, { type: "system", label: "release feed" }, { action: "release.feed.sync", resourceType: "release", metadata: { feed: path.basename(feedFile), versions: feed.releases.map((r) => r.version) } });
  });
  return { versions: feed.releases.map((r) => r.version) };
}
