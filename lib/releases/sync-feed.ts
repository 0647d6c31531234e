import "server-only";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import path from "node:path";
import { z } from "zod";
import { getDb } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record-audit";
import { SEMVER_RE } from "@/lib/versions";
import { AppError } from "@/lib/errors";
import { getEnv } from "@/lib/env";
import { sha256File } from "@/lib/runtime/process-driver";

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

type FeedRelease = z.infer<typeof feedSchema>["releases"][number];

const FETCH_TIMEOUT_MS = 15_000;
const MAX_FEED_BYTES = 5 * 1024 * 1024;

function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** What a log line or an audit entry may say about a source: no credentials, no query string. */
export function describeFeedSource(source: string): string {
  if (!isUrl(source)) return path.basename(source);
  const u = new URL(source);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

async function fetchWithTimeout(url: string): Promise<Response> {
  const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: "follow" });
  if (!res.ok) throw new AppError("unavailable", `The release feed answered HTTP ${res.status} for ${describeFeedSource(url)}.`);
  return res;
}

async function readFeedText(source: string): Promise<string> {
  if (!isUrl(source)) return readFile(source, "utf8");
  const res = await fetchWithTimeout(source);
  const text = await res.text();
  if (text.length > MAX_FEED_BYTES) throw new AppError("validation_failed", "The release feed is larger than 5 MiB.");
  return text;
}

/**
 * Where the bundle of a release lives on this machine. A file feed names files beside it; a URL
 * feed names files beside its URL, which are downloaded once into the artifact store and checked
 * against the feed's sha256 before the release is recorded, so a pull never depends on the network.
 */
async function localBundle(source: string, r: FeedRelease): Promise<string | null> {
  const bundle = r.artifacts.bundle;
  if (!bundle) return null;
  if (!isUrl(source)) return path.resolve(path.dirname(path.resolve(source)), bundle.path);
  const dir = path.join(getEnv().STORAGE_DIR, "artifacts");
  const file = path.join(dir, `platform-${r.version}.tar.gz`);
  if (existsSync(file) && (await sha256File(file)) === bundle.sha256) return file;
  await mkdir(dir, { recursive: true });
  const res = await fetchWithTimeout(new URL(bundle.path, source).toString());
  if (!res.body) throw new AppError("unavailable", `The bundle of ${r.version} came back empty.`);
  const partial = `${file}.${process.pid}.partial`;
  try {
    await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream), createWriteStream(partial));
    const actual = await sha256File(partial);
    if (actual !== bundle.sha256) throw new AppError("validation_failed", `The bundle of ${r.version} does not match the feed's sha256 (got ${actual.slice(0, 12)}…).`);
    await rename(partial, file);
  } finally {
    await rm(partial, { force: true });
  }
  return file;
}

export type FeedSyncResult = { versions: string[]; added: string[]; changed: string[] };

/**
 * Upserts the releases of a feed (a file, or an http(s) URL) with their artifacts. A release whose
 * bundle cannot be fetched or verified fails the whole sync: nothing half-written. The audit log
 * records syncs that added or changed something.
 */
export async function syncReleaseFeed(source: string): Promise<FeedSyncResult> {
  let parsed: z.infer<typeof feedSchema>;
  try {
    parsed = feedSchema.parse(JSON.parse(await readFeedText(source)));
  } catch (e) {
    if (e instanceof SyntaxError) throw new AppError("validation_failed", `The release feed ${describeFeedSource(source)} is not JSON.`);
    throw e;
  }
  const feed = parsed;
  const bundles = new Map<string, string | null>();
  for (const r of feed.releases) bundles.set(r.version, await localBundle(source, r));
  const db = getDb();
  return db.$transaction(async (tx) => {
    // Workers sync on their own schedules; one at a time, so concurrent upserts never collide.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('webwaka:release-feed'))`;
    const added: string[] = [];
    const changed: string[] = [];
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
      const before = await tx.release.findUnique({ where: { type_version: { type: "platform", version: r.version } } });
      if (!before) added.push(r.version);
      else if (before.status !== data.status || before.breaking !== data.breaking || before.security !== data.security || before.critical !== data.critical || before.minUpgradeFrom !== data.minUpgradeFrom || before.changelog !== data.changelog) changed.push(r.version);
      const release = await tx.release.upsert({ where: { type_version: { type: "platform", version: r.version } }, create: { type: "platform", version: r.version, ...data }, update: data, select: { id: true } });
      const bundlePath = bundles.get(r.version);
      const artifacts = [
        r.artifacts.bundle && bundlePath ? { kind: "bundle" as const, reference: bundlePath, sha256: r.artifacts.bundle.sha256, digest: null, sizeBytes: BigInt(r.artifacts.bundle.sizeBytes) } : null,
        r.artifacts.appImage ? { kind: "app_image" as const, reference: r.artifacts.appImage.reference, digest: r.artifacts.appImage.digest, sha256: null, sizeBytes: null } : null,
        r.artifacts.workerImage ? { kind: "worker_image" as const, reference: r.artifacts.workerImage.reference, digest: r.artifacts.workerImage.digest, sha256: null, sizeBytes: null } : null,
      ].filter((a) => a !== null);
      for (const a of artifacts) {
        await tx.releaseArtifact.upsert({ where: { releaseId_kind: { releaseId: release.id, kind: a.kind } }, create: { releaseId: release.id, ...a }, update: a });
      }
    }
    if (added.length || changed.length) {
      await recordAudit(tx, { type: "system", label: "release feed" }, { action: "release.feed.sync", resourceType: "release", metadata: { feed: describeFeedSource(source), versions: feed.releases.map((r) => r.version), added, changed } });
    }
    return { versions: feed.releases.map((r) => r.version), added, changed };
  });
}
