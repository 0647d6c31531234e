// The docker driver against a real engine: a private Podman service and registry (started here),
// real images built from the reference platform's bundles, and a real PostgreSQL database.
// Nothing is skipped: without an engine every test fails with the reason.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Docker from "dockerode";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerDriver, pinnedReference } from "@/lib/runtime/docker-driver";
import { demultiplex } from "@/lib/runtime/docker-streams";
import type { InstanceRuntime, ReleaseArtifacts, StepLog } from "@/lib/runtime/types";
import { dropDatabase, ensureDatabase } from "@/scripts/lib/ensure-database";
import { freePort } from "@/scripts/lib/local-postgres";
import { ensureNodeBaseImage, startPodman, type PodmanEngine } from "@/scripts/lib/podman";
import { buildPlatformImages, type PlatformImages } from "@/scripts/lib/platform-images";

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, "../..");
const VERSIONS = ["1.0.0", "1.1.0", "1.1.1-fault.migration", "2.0.0"] as const;
const verbose = Boolean(process.env.DOCKER_DRIVER_TEST_VERBOSE);
const say = (line: string) => {
  if (verbose) console.log(`[docker-driver.test] ${line}`);
};

type Ctx = {
  engine: PodmanEngine;
  docker: Docker;
  images: Record<string, PlatformImages>;
  rt: InstanceRuntime;
  dbUrl: string;
};

let ctx: Ctx | undefined;
let setupError: Error | undefined;
let engine: PodmanEngine | undefined;
let tmp: string | undefined;
let dbName: string | undefined;
const adminUrl = process.env.TEST_ADMIN_DATABASE_URL;
const driver = createDockerDriver();
const logs: string[] = [];
const log: StepLog = (level, message) => {
  logs.push(`${level}: ${message}`);
  say(`${level}: ${message}`);
};

/** Every test starts here: a failed setup fails each test with its reason instead of skipping it. */
function need(): Ctx {
  if (setupError) throw setupError;
  if (!ctx) throw new Error("The docker driver test setup did not run.");
  return ctx;
}

function release(version: string): ReleaseArtifacts {
  const imgs = need().images[version];
  if (!imgs) throw new Error(`No images built for ${version}`);
  return { version, schemaVersion: "", appImage: imgs.appImage, workerImage: imgs.workerImage };
}

async function appliedMigrations(): Promise<string[]> {
  const client = new pg.Client({ connectionString: need().dbUrl });
  await client.connect();
  try {
    const res = await client.query<{ version: string }>("SELECT version FROM schema_migrations ORDER BY version");
    return res.rows.map((r) => r.version);
  } finally {
    await client.end();
  }
}

/** The app's version once it answers; deploy returns when the containers are up, not yet listening. */
async function servedVersion(timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${need().rt.port}/api/version`);
      if (res.ok) return ((await res.json()) as { version: string }).version;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`The app did not answer /api/version within ${timeoutMs / 1000} s (${last}). App logs:\n${await driver.logs(need().rt, "app", 30)}`);
}

async function instanceContainers(onlyRunning: boolean): Promise<string[]> {
  const { docker, rt } = need();
  const list = await docker.listContainers({ all: !onlyRunning, filters: { label: [`webwaka.instance=${rt.instanceId}`] } });
  return list.flatMap((c) => c.Names.map((n) => n.replace(/^\//, ""))).sort();
}

beforeAll(async () => {
  try {
    if (!adminUrl) throw new Error("TEST_ADMIN_DATABASE_URL is not set: the docker driver tests need a PostgreSQL superuser URL (npm test provides one).");
    const buildScript = path.join(repoRoot, "examples/platform/build.mjs");
    if (!existsSync(buildScript)) throw new Error(`${buildScript} is missing: the docker driver tests build the reference platform's images from its bundles.`);
    // A short path: Podman's sockets live below it, and unix socket paths are capped at 107 bytes.
    tmp = mkdtempSync(path.join(tmpdir(), "ww-docker-"));
    const started = Date.now();

    engine = await startPodman({ dir: path.join(tmp, "engine"), log: say });
    const docker = new Docker(engine.dockerOptions);
    // The bundles build while the base image is imported.
    const bundles = path.join(tmp, "bundles");
    await Promise.all([ensureNodeBaseImage(docker, say), run(process.execPath, [buildScript, "--out", bundles], { cwd: repoRoot })]);
    const images = await buildPlatformImages({ docker, registry: engine.registry, bundlesDir: bundles, versions: [...VERSIONS], log: say });

    dbName = `ww_docker_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
    await ensureDatabase(adminUrl, dbName);
    const url = new URL(adminUrl);
    url.pathname = `/${dbName}`;

    const workDir = path.join(tmp, "instance");
    mkdirSync(workDir, { recursive: true });
    const configFile = path.join(workDir, "config.json");
    writeFileSync(configFile, JSON.stringify({ configVersion: 1, values: { DB_POOL_SIZE: 5 } }), { mode: 0o644 });
    const rt: InstanceRuntime = {
      instanceId: `dd${randomBytes(4).toString("hex")}`,
      port: await freePort(),
      databaseUrl: url.toString(),
      adminToken: randomBytes(16).toString("hex"),
      configFile,
      workDir,
      docker: { type: "socket", socketPath: engine.socketPath },
    };
    ctx = { engine, docker, images, rt, dbUrl: url.toString() };
    say(`setup took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    setupError = new Error(`Docker driver test setup failed: ${(e as Error).message}`, { cause: e });
  }
}, 240_000);

afterAll(async () => {
  if (ctx) await driver.stop(ctx.rt, log).catch(() => {});
  await engine?.stop().catch((e: Error) => console.error(`Stopping the Podman engine failed: ${e.message}`));
  if (adminUrl && dbName) await dropDatabase(adminUrl, dbName).catch((e: Error) => console.error(`Dropping ${dbName} failed: ${e.message}`));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe("docker driver (Podman engine)", () => {
  let itemId = "";

  it("pull verifies the promised digest, refuses a wrong one and reports a missing image", async () => {
    const { rt, images, engine } = need();
    const r = release("1.0.0");
    const result = await driver.pull(rt, r, log);
    expect(result.verified).toBe(images["1.0.0"]!.appImage.digest);
    expect(result.verified).toMatch(/^sha256:[0-9a-f]{64}$/);

    const wrong = { ...r, appImage: { ...r.appImage!, digest: images["1.1.0"]!.appImage.digest } };
    await expect(driver.pull(rt, wrong, log)).rejects.toMatchObject({ name: "DriverError", code: "digest_mismatch" });

    const missing = { ...r, appImage: { reference: `${engine.registry}/webwaka/platform:0.0.404`, digest: r.appImage!.digest } };
    await expect(driver.pull(rt, missing, log)).rejects.toMatchObject({ code: "image_pull_failed", message: expect.stringMatching(/manifest unknown|not found/i) });
  }, 60_000);

  it("migrates up in a one-off container that is gone afterwards", async () => {
    await driver.migrate(need().rt, release("1.0.0"), { direction: "up" }, log);
    expect(await appliedMigrations()).toEqual(["0001"]);
    expect(await instanceContainers(false)).toEqual([]);
  }, 60_000);

  it("reports a failing migration with its output and leaves the schema as it was", async () => {
    const err = await driver.migrate(need().rt, release("1.1.1-fault.migration"), { direction: "up" }, log).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "migration_failed" });
    expect((err as Error).message).toContain("node migrate.js up exited with code");
    expect(await appliedMigrations()).toEqual(["0001"]);
    expect(await instanceContainers(false)).toEqual([]);
  }, 60_000);

  it("deploys 1.0.0 as webwaka-app-{id} and webwaka-worker-{id} and keeps data written to it", async () => {
    const { rt, docker } = need();
    await driver.deploy(rt, release("1.0.0"), log);
    expect(await instanceContainers(true)).toEqual([`webwaka-app-${rt.instanceId}`, `webwaka-worker-${rt.instanceId}`]);
    const info = await docker.getContainer(`webwaka-app-${rt.instanceId}`).inspect();
    expect(info.Config.Labels).toMatchObject({ "webwaka.instance": rt.instanceId, "webwaka.version": "1.0.0" });
    expect(info.HostConfig.NetworkMode).toBe("host");
    // Created from the verified content, not from whatever the tag points at.
    expect(info.Config.Image).toBe(pinnedReference(release("1.0.0").appImage!));
    expect(info.HostConfig.RestartPolicy?.Name).toBe("unless-stopped");
    expect(await servedVersion()).toBe("1.0.0");

    const res = await fetch(`http://127.0.0.1:${rt.port}/api/items`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "survives upgrades" }) });
    expect(res.status).toBe(201);
    itemId = String(((await res.json()) as { id: string | number }).id);

    expect(await driver.status(rt)).toMatchObject({ app: { running: true, version: "1.0.0" }, worker: { running: true, version: "1.0.0" } });
  }, 60_000);

  it("upgrades to 1.1.0: pull, migrate up, deploy; the item is still there", async () => {
    const { rt } = need();
    const r = release("1.1.0");
    await driver.pull(rt, r, log);
    await driver.migrate(rt, r, { direction: "up" }, log);
    expect(await appliedMigrations()).toEqual(["0001", "0002"]);
    await driver.deploy(rt, r, log);
    expect(await servedVersion()).toBe("1.1.0");
    const item = await fetch(`http://127.0.0.1:${rt.port}/api/items/${itemId}`);
    expect(item.status).toBe(200);
    expect(await item.json()).toMatchObject({ text: "survives upgrades" });
    expect(await driver.status(rt)).toMatchObject({ app: { running: true, version: "1.1.0" }, worker: { running: true, version: "1.1.0" } });
  }, 90_000);

  it("rolls back: migrate down --to 0001 with the 1.1.0 image, deploy 1.0.0 (twice: idempotent)", async () => {
    const { rt } = need();
    await driver.migrate(rt, release("1.1.0"), { direction: "down", to: "0001" }, log);
    expect(await appliedMigrations()).toEqual(["0001"]);
    await driver.deploy(rt, release("1.0.0"), log);
    await driver.deploy(rt, release("1.0.0"), log);
    expect(await servedVersion()).toBe("1.0.0");
    expect(await instanceContainers(false)).toEqual([`webwaka-app-${rt.instanceId}`, `webwaka-worker-${rt.instanceId}`]);
    const item = await fetch(`http://127.0.0.1:${rt.port}/api/items/${itemId}`);
    expect(await item.json()).toMatchObject({ text: "survives upgrades" });
  }, 90_000);

  it("reads the logs of each component, demultiplexed", async () => {
    const { rt } = need();
    const app = await driver.logs(rt, "app", 50);
    expect(app.length).toBeGreaterThan(0);
    // Docker's frame headers start with a 0x01/0x02 byte followed by three zero bytes.
    expect(app).not.toMatch(/[\x01\x02]\x00\x00\x00/);
    expect(typeof (await driver.logs(rt, "worker", 50))).toBe("string");
    expect(await driver.logs({ ...rt, instanceId: "nosuchinstance" }, "app", 10)).toBe("");
  });

  it("fails a deploy whose app exits at once (2.0.0 with a 1.x config) with its logs", async () => {
    const { rt } = need();
    const err = await driver.deploy(rt, release("2.0.0"), log).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "container_start_failed" });
    expect((err as Error).message).toMatch(/DATABASE_POOL_MAX|DB_POOL_SIZE/);
    // Both halves are stopped, and kept for their logs.
    expect(await driver.status(rt)).toMatchObject({ app: { running: false }, worker: { running: false } });
    expect(await driver.logs(rt, "app", 20)).toMatch(/DATABASE_POOL_MAX|DB_POOL_SIZE/);
  }, 60_000);

  it("stops everything, and stopping again is harmless", async () => {
    const { rt } = need();
    await driver.deploy(rt, release("1.0.0"), log);
    expect(await servedVersion()).toBe("1.0.0");
    await driver.stop(rt, log);
    expect(await instanceContainers(true)).toEqual([]);
    expect(await driver.status(rt)).toMatchObject({ app: { running: false, version: null }, worker: { running: false, version: null } });
    await driver.stop(rt, log);
  }, 60_000);

  it("reports an unreachable engine as a DriverError", async () => {
    const { rt } = need();
    const gone = { ...rt, docker: { type: "socket" as const, socketPath: path.join(tmp ?? "/nonexistent", "no-such.sock") } };
    await expect(driver.status(gone)).rejects.toMatchObject({ code: "unreachable" });
  });
});

describe("pinnedReference", () => {
  it("replaces a tag with the digest, keeping a registry port", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(pinnedReference({ reference: "127.0.0.1:5000/webwaka/platform:1.0.0", digest })).toBe(`127.0.0.1:5000/webwaka/platform@${digest}`);
    expect(pinnedReference({ reference: "127.0.0.1:5000/webwaka/platform", digest })).toBe(`127.0.0.1:5000/webwaka/platform@${digest}`);
    expect(pinnedReference({ reference: `registry.example/webwaka/platform:1.0.0@sha256:${"b".repeat(64)}`, digest })).toBe(`registry.example/webwaka/platform@${digest}`);
  });
});

describe("demultiplex", () => {
  it("splits Docker's framed log stream and passes raw (TTY) output through", () => {
    const frame = (kind: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = kind;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    const out = demultiplex(Buffer.concat([frame(1, "hello\n"), frame(2, "oops\n"), frame(1, "bye\n")]));
    expect(out).toEqual({ stdout: "hello\nbye\n", stderr: "oops\n", combined: "hello\noops\nbye\n" });
    expect(demultiplex(Buffer.from("plain text\n")).combined).toBe("plain text\n");
  });
});
