// The auto-update worker end to end: a real worker process syncs the release feed over real HTTP
// (127.0.0.1) and applies the channel policies to real instances of the reference platform.
import { createServer, type Server } from "node:http";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { testDb } from "@/test/support/db";
import { startWorker, type WorkerHandle } from "@/test/support/worker";
import { waitUntil } from "@/test/support/wait";
import { createTestInstance, instanceVersion, stopTestInstance, waitForRun, type TestInstance } from "@/test/support/instances";
import { syncReleaseFeed } from "@/lib/releases/sync-feed";
import { nextWindowStart } from "@/lib/channels/windows";
import type { UpdateChannel } from "@/generated/prisma/enums";

vi.setConfig({ testTimeout: 180_000 });

const RELEASES_DIR = process.env.TEST_RELEASES_DIR ?? "";
type Feed = { releases: { version: string; changelog: string; artifacts: { bundle?: { path: string; sha256: string } } }[] };
const realFeed = JSON.parse(readFileSync(path.join(RELEASES_DIR, "feed.json"), "utf8")) as Feed;

// A feed server on loopback: serves the built feed and bundles, or a feed the test swaps in.
let feedBody = JSON.stringify(realFeed);
let server: Server;
let feedUrl = "";

const workers: WorkerHandle[] = [];
const instances: TestInstance[] = [];
// The scan looks at the whole fleet of the shared test database; other files' instances are
// frozen while it runs and given their channels back afterwards.
let parked: { id: string; updateChannel: UpdateChannel }[] = [];

async function instance(version: string, opts: Parameters<typeof createTestInstance>[1]) {
  const i = await createTestInstance(version, opts);
  instances.push(i);
  return i;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? "/").split("?")[0]!.slice(1));
    if (name === "feed.json") {
      res.writeHead(200, { "content-type": "application/json" }).end(feedBody);
      return;
    }
    const file = path.join(RELEASES_DIR, path.basename(name));
    if (!name.endsWith(".tar.gz") || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/gzip" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  feedUrl = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/feed.json`;
});

afterAll(async () => {
  for (const w of workers) await w.stop();
  for (const p of parked) await testDb().instance.update({ where: { id: p.id }, data: { updateChannel: p.updateChannel } });
  for (const i of instances) await stopTestInstance(i).catch(() => undefined);
  await new Promise((r) => server.close(r));
});

describe("the release feed from a URL", () => {
  const store = path.join(process.env.STORAGE_DIR ?? "", "artifacts");
  // Back to the suite's own feed file, so that later files pull from where they expect.
  afterAll(() => syncReleaseFeed(path.join(RELEASES_DIR, "feed.json")));

  it("mirrors every bundle into the artifact store, checked against the feed's sha256", async () => {
    await rm(store, { recursive: true, force: true });
    const r = await syncReleaseFeed(feedUrl);
    expect(r.versions).toEqual(realFeed.releases.map((x) => x.version));
    const artifact = await testDb().releaseArtifact.findFirstOrThrow({ where: { kind: "bundle", release: { version: "1.2.1" } } });
    expect(artifact.reference).toBe(path.join(store, "platform-1.2.1.tar.gz"));
    expect(readFileSync(artifact.reference).equals(readFileSync(path.join(RELEASES_DIR, "1.2.1.tar.gz")))).toBe(true);
    // Nothing changed since the suite synced the same feed from its file: no audit noise.
    expect(r.added).toEqual([]);
  });

  it("refuses a feed whose bundle does not match its checksum, and writes nothing of it", async () => {
    const tampered = structuredClone(realFeed);
    const target = tampered.releases.find((x) => x.version === "1.1.0")!;
    target.changelog = "Tampered changelog";
    target.artifacts.bundle!.path = "1.2.0.tar.gz"; // another file than the one the sha256 names
    await rm(path.join(store, "platform-1.1.0.tar.gz"), { force: true });
    feedBody = JSON.stringify(tampered);
    try {
      await expect(syncReleaseFeed(feedUrl)).rejects.toThrow(/does not match the feed's sha256/);
    } finally {
      feedBody = JSON.stringify(realFeed);
    }
    const release = await testDb().release.findFirstOrThrow({ where: { version: "1.1.0" } });
    expect(release.changelog).not.toBe("Tampered changelog");
    expect(existsSync(path.join(store, "platform-1.1.0.tar.gz"))).toBe(false);
  });

  it("says what is wrong with a feed that is not JSON or not reachable", async () => {
    feedBody = "<html>not a feed</html>";
    try {
      await expect(syncReleaseFeed(feedUrl)).rejects.toThrow(/is not JSON/);
    } finally {
      feedBody = JSON.stringify(realFeed);
    }
    await expect(syncReleaseFeed(feedUrl.replace("feed.json", "missing.json"))).rejects.toThrow(/HTTP 404/);
  });
});

describe("the auto-update worker", () => {
  let auto: TestInstance;
  let manual: TestInstance;
  let windowed: TestInstance;
  let frozen: TestInstance;
  let failedBefore: TestInstance;

  beforeAll(async () => {
    parked = (await testDb().instance.findMany({ where: { updateChannel: { not: "frozen" } }, select: { id: true, updateChannel: true } }));
    await testDb().instance.updateMany({ where: { id: { in: parked.map((p) => p.id) } }, data: { updateChannel: "frozen" } });
    auto = await instance("1.0.0", { channel: "auto_update" });
    manual = await instance("1.1.0", { channel: "manual_approval" });
    windowed = await instance("1.0.0", { channel: "auto_update" });
    frozen = await instance("1.0.0", { channel: "frozen" });
    failedBefore = await instance("1.0.0", { channel: "auto_update" });
    // windowed: pinned to a non-security release, with a weekly window three days away.
    const day = (new Date().getUTCDay() + 3) % 7;
    await testDb().instance.update({ where: { id: windowed.id }, data: { pinnedVersion: "1.2.0", maintenanceWindows: { create: { dayOfWeek: day, startMinute: 180, durationMinutes: 60 } } } });
    // failedBefore: 1.2.1 already failed here once; pinned to it, nothing else is eligible.
    await testDb().instance.update({ where: { id: failedBefore.id }, data: { pinnedVersion: "1.2.1" } });
    await testDb().upgradeRun.create({ data: { instanceId: failedBefore.id, fromVersion: "1.0.0", toVersion: "1.2.1", status: "failed", trigger: "auto_update", finishedAt: new Date() } });
    // Two scanning workers at once: still one run per instance.
    const env = { AUTO_UPDATE_INTERVAL_SECONDS: "1", RELEASE_FEED: feedUrl, FEED_SYNC_SECONDS: "10" };
    workers.push(startWorker(env), startWorker(env));
  });

  it("applies a security patch at once on auto-update, and it runs to the end", async () => {
    const run = await waitUntil("an automatic run on the auto-update instance", () => testDb().upgradeRun.findFirst({ where: { instanceId: auto.id, trigger: "auto_update" }, orderBy: [{ createdAt: "asc" }, { hopIndex: "asc" }] }));
    expect(run.toVersion).toBe("1.2.1");
    expect(run.policyReason).toMatch(/security/i);
    expect(run.requestedById).toBeNull();
    const done = await waitForRun(run.id);
    expect(done.status).toBe("monitoring");
    expect(await instanceVersion(auto)).toBe("1.2.1");
    // The console vouched for the checklist items it can stand behind, and said why.
    const items = await testDb().checklistItem.findMany({ where: { runId: run.id, key: { in: ["maintenanceWindowScheduled", "stakeholdersNotified", "rollbackPlanPrepared"] } } });
    expect(items.every((i) => i.checked && i.bySystem && i.note)).toBe(true);
    const audit = await testDb().auditLog.findFirstOrThrow({ where: { action: "instance.upgrade.request", resourceId: auto.id } });
    expect(audit.actorLabel).toBe("auto-update");
    expect(audit.actorType).toBe("system");
  });

  it("then queues the breaking 2.0.0 for approval instead of running it", async () => {
    // Without a maintenance window, automatic updates other than security patches never run.
    await testDb().maintenanceWindow.create({ data: { instanceId: auto.id, dayOfWeek: (new Date().getUTCDay() + 3) % 7, startMinute: 180, durationMinutes: 60 } });
    // Monitoring ends when the window closes; shorten it so the instance is free again.
    await testDb().upgradeRun.updateMany({ where: { instanceId: auto.id, status: "monitoring" }, data: { monitoringUntil: new Date() } });
    const queued = await waitUntil("an approval request for 2.0.0", () => testDb().upgradeRun.findFirst({ where: { instanceId: auto.id, toVersion: "2.0.0", trigger: "auto_update" } }));
    expect(queued.status).toBe("pending_approval");
    expect(queued.rollbackPlan).toMatch(/backup/);
    expect(queued.policyReason).toMatch(/breaking/);
  });

  it("queues the newest release for approval on manual-approval", async () => {
    const run = await waitUntil("a request on the manual-approval instance", () => testDb().upgradeRun.findFirst({ where: { instanceId: manual.id, trigger: "auto_update" }, orderBy: { hopIndex: "asc" } }));
    expect(run.status).toBe("pending_approval");
    const plan = await testDb().upgradeRun.findMany({ where: { instanceId: manual.id, trigger: "auto_update" }, orderBy: { hopIndex: "asc" } });
    expect(plan.at(-1)?.toVersion).toBe("2.0.0");
  });

  it("schedules a non-security release for the next maintenance window", async () => {
    const run = await waitUntil("a scheduled run on the windowed instance", () => testDb().upgradeRun.findFirst({ where: { instanceId: windowed.id, trigger: "auto_update" } }));
    expect(run.status).toBe("scheduled");
    expect(run.toVersion).toBe("1.2.0");
    const windows = await testDb().maintenanceWindow.findMany({ where: { instanceId: windowed.id } });
    const expected = nextWindowStart(run.createdAt, windows.map((w) => ({ dayOfWeek: w.dayOfWeek, startMinute: w.startMinute, durationMinutes: w.durationMinutes })), "UTC");
    expect(run.scheduledFor?.toISOString()).toBe(expected?.toISOString());
  });

  it("never touches a frozen instance, never retries a target that failed, and made one run per instance", async () => {
    // Several scans by both workers have passed by now.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await testDb().upgradeRun.count({ where: { instanceId: frozen.id } })).toBe(0);
    expect(await testDb().upgradeRun.count({ where: { instanceId: failedBefore.id } })).toBe(1);
    for (const i of [manual, windowed]) {
      const heads = await testDb().upgradeRun.count({ where: { instanceId: i.id, hopIndex: 0 } });
      expect(heads, i.name).toBe(1);
    }
  });
});
