// The reference platform for real: bundles built into a temp folder by build.mjs, their app,
// worker, migrate and smoke processes spawned on free 127.0.0.1 ports against fresh PostgreSQL
// databases (created with TEST_ADMIN_DATABASE_URL, dropped at the end).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropDatabase, ensureDatabase } from "@/scripts/lib/ensure-database";
import { freePort } from "@/scripts/lib/local-postgres";

const run = promisify(execFile);
const here = import.meta.dirname;
const adminUrl = process.env.TEST_ADMIN_DATABASE_URL ?? "";
const ADMIN_TOKEN = randomBytes(12).toString("hex");
const OLD_CONFIG = { configVersion: 1, values: { DB_POOL_SIZE: 3 } };
const NEW_CONFIG = { configVersion: 2, values: { DATABASE_POOL_MAX: 3 } };

type FeedRelease = { version: string; status: string; schemaVersion: string; fault: string | null; artifacts: { bundle: { path: string; sha256: string; sizeBytes: number } } };
type Feed = { releases: FeedRelease[] };
type Json = Record<string, unknown>;
type Reply = { status: number; text: string; json: Json; headers: Headers };
type Proc = { child: ChildProcess; output: () => string; exit: Promise<number | null> };
type Instance = { base: string; app: Proc; worker?: Proc };

let tmp = "";
let out = "";
const children: Proc[] = [];
const databases: string[] = [];

const bundle = (version: string) => path.join(out, version);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// A clean environment, as the drivers give: nothing of the test runner's leaks into the platform.
const childEnv = (env: Record<string, string>): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", NODE_ENV: "production", ...env });

function writeConfig(name: string, config: unknown): string {
  const file = path.join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

async function newDatabase(tag: string): Promise<string> {
  const name = `ww_platform_${tag}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  await ensureDatabase(adminUrl, name);
  databases.push(name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function sql<T extends pg.QueryResultRow>(dbUrl: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Runs a bundle's script to completion; a non-zero exit is returned, not thrown. */
async function node(version: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: bundle(version), env: childEnv(env), timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : -1, stdout: err.stdout ?? "", stderr: err.stderr ?? String(e) };
  }
}

const migrate = (version: string, dbUrl: string, ...args: string[]) => node(version, ["migrate.js", ...args], { DATABASE_URL: dbUrl });

function spawnProc(version: string, script: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [script], { cwd: bundle(version), env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const keep = (b: Buffer) => (log = (log + b.toString()).slice(-20_000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const proc = { child, output: () => log, exit };
  children.push(proc);
  return proc;
}

async function call(base: string, p: string, init: { method?: string; body?: unknown; admin?: boolean } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.admin) headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  const res = await fetch(base + p, { method: init.method ?? "GET", headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  let json: Json = {};
  try {
    json = JSON.parse(text) as Json;
  } catch {
    // HTML or Prometheus text
  }
  return { status: res.status, text, json, headers: res.headers };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

/** Starts the bundle's app (and worker) and waits until the app answers. */
async function startInstance(version: string, dbUrl: string, opts: { configFile: string; worker?: boolean; env?: Record<string, string> }): Promise<Instance> {
  const port = await freePort();
  const common = { DATABASE_URL: dbUrl, CONFIG_FILE: opts.configFile, INSTANCE_ID: `t${port}`, ...opts.env };
  const app = spawnProc(version, "app.js", { ...common, PORT: String(port), HOST: "127.0.0.1", ADMIN_TOKEN });
  const worker = opts.worker ? spawnProc(version, "worker.js", common) : undefined;
  const base = `http://127.0.0.1:${port}`;
  let exited = false;
  void app.exit.then(() => (exited = true));
  await waitFor(`${version} app on ${base}`, async () => {
    if (exited) throw new Error(`the app exited:\n${app.output()}`);
    return (await call(base, "/api/version")).status === 200;
  });
  return { base, app, ...(worker ? { worker } : {}) };
}

async function stop(proc: Proc | undefined): Promise<number | null> {
  if (!proc) return null;
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill("SIGTERM");
  return Promise.race([proc.exit, sleep(5000).then(() => -999)]);
}

/** Tables, columns, indexes and constraints of the public schema, for before/after comparisons. */
async function schemaSnapshot(dbUrl: string): Promise<string[]> {
  const cols = await sql<{ c: string }>(
    dbUrl,
    `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS c
     FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  );
  const idx = await sql<{ c: string }>(dbUrl, "SELECT indexdef AS c FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname");
  const cons = await sql<{ c: string }>(
    dbUrl,
    `SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS c FROM pg_constraint
     WHERE connamespace = 'public'::regnamespace ORDER BY conrelid::regclass::text, conname`,
  );
  return [...cols, ...idx, ...cons].map((r) => r.c);
}

/** Prometheus text → series name with labels → value. */
function parseMetrics(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!m?.[1] || !m[2]) throw new Error(`Not a Prometheus sample line: ${line}`);
    series.set(m[1], Number(m[2]));
  }
  return series;
}

beforeAll(async () => {
  if (!adminUrl) throw new Error("TEST_ADMIN_DATABASE_URL is not set: the platform tests need a PostgreSQL superuser URL (npm test provides one).");
  tmp = mkdtempSync(path.join(tmpdir(), "ww-platform-"));
  out = path.join(tmp, "bundles");
  await run(process.execPath, [path.join(here, "build.mjs"), "--out", out]);
});

afterAll(async () => {
  for (const p of children) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  await Promise.all(children.map((p) => Promise.race([p.exit, sleep(3000)])));
  for (const db of databases) await dropDatabase(adminUrl, db).catch((e: Error) => console.error(`Dropping ${db} failed: ${e.message}`));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("build.mjs", () => {
  it("builds every release's bundle, tarball and feed, reproducibly", async () => {
    const feed = JSON.parse(readFileSync(path.join(out, "feed.json"), "utf8")) as Feed;
    expect(feed.releases.map((r) => r.version)).toEqual(["1.0.0", "1.1.0", "1.2.0", "1.2.1", "2.0.0", "1.1.1-fault.migration", "1.1.1-fault.unhealthy", "1.1.1-fault.errors"]);
    for (const r of feed.releases) {
      const tarball = readFileSync(path.join(out, r.artifacts.bundle.path));
      expect(createHash("sha256").update(tarball).digest("hex")).toBe(r.artifacts.bundle.sha256);
      expect(tarball.length).toBe(r.artifacts.bundle.sizeBytes);
      expect(JSON.parse(readFileSync(path.join(bundle(r.version), "release.json"), "utf8"))).toEqual({ version: r.version, schemaVersion: r.schemaVersion, fault: r.fault });
      const ups = readdirSync(path.join(bundle(r.version), "migrations")).filter((f) => f.endsWith(".up.sql"));
      expect(ups.at(-1)?.slice(0, 4)).toBe(r.schemaVersion);
      expect(existsSync(path.join(bundle(r.version), "node_modules/pg-types/node_modules/postgres-array/package.json"))).toBe(true);
    }

    const again = path.join(tmp, "again");
    const started = Date.now();
    await run(process.execPath, [path.join(here, "build.mjs"), "--out", again]);
    expect(Date.now() - started).toBeLessThan(5000);
    const feed2 = JSON.parse(readFileSync(path.join(again, "feed.json"), "utf8")) as Feed;
    expect(feed2.releases.map((r) => r.artifacts.bundle.sha256)).toEqual(feed.releases.map((r) => r.artifacts.bundle.sha256));
  });

  it("keeps feed.json (what the console seeds) in step with releases.json", () => {
    const releases = (JSON.parse(readFileSync(path.join(here, "releases.json"), "utf8")) as { releases: Json[] }).releases;
    const seeded = (JSON.parse(readFileSync(path.join(here, "feed.json"), "utf8")) as { releases: Json[] }).releases;
    const stable = releases.filter((r) => r.status === "stable").map(({ fault: _fault, ...rest }) => rest);
    expect(seeded).toEqual(stable);
  });
});

describe("a 1.0.0 instance", () => {
  let db = "";
  let inst: Instance;
  let config = "";

  beforeAll(async () => {
    db = await newDatabase("main");
    config = writeConfig("main", OLD_CONFIG);
    const up = await migrate("1.0.0", db, "up");
    expect(up.code, up.stderr).toBe(0);
    inst = await startInstance("1.0.0", db, { configFile: config, worker: true });
  });

  it("serves health, version, config version and items", async () => {
    const health = await call(inst.base, "/health/status");
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: "healthy", version: "1.0.0", maintenance: { enabled: false, message: null }, checks: { database: "ok" } });
    expect((await call(inst.base, "/api/version")).json).toEqual({ version: "1.0.0" });
    const cfg = await call(inst.base, "/api/config/version");
    expect(cfg.json).toEqual({ configVersion: 1, sha256: createHash("sha256").update(readFileSync(config)).digest("hex"), keys: ["DB_POOL_SIZE"] });

    for (const text of ["first", "second", "third"]) {
      const created = await call(inst.base, "/api/items", { method: "POST", body: { text } });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ text });
      expect((await call(inst.base, `/api/items/${String(created.json.id)}`)).json).toMatchObject({ id: created.json.id, text });
    }
    const list = await call(inst.base, "/api/items?limit=2");
    expect((list.json.items as Json[]).map((i) => i.text)).toEqual(["third", "second"]);
    expect((await call(inst.base, "/api/items", { method: "POST", body: { text: "" } })).status).toBe(400);
    expect((await call(inst.base, "/api/items/999999")).status).toBe(404);
    expect((await call(inst.base, "/admin/maintenance", { method: "POST", body: { enabled: true } })).status).toBe(401);
  });

  it("serves the maintenance page while health stays 200, and leaves maintenance", async () => {
    const on = await call(inst.base, "/admin/maintenance", { method: "POST", admin: true, body: { enabled: true, message: "Upgrade to 1.1.0 <in progress>" } });
    expect(on.status).toBe(200);
    const page = await call(inst.base, "/api/items?limit=1");
    expect(page.status).toBe(503);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(page.text).toContain("Upgrade to 1.1.0 &lt;in progress&gt;");
    expect((await call(inst.base, "/")).status).toBe(503);
    const health = await call(inst.base, "/health/status");
    expect(health.status).toBe(200);
    expect(health.json.maintenance).toEqual({ enabled: true, message: "Upgrade to 1.1.0 <in progress>" });
    for (const p of ["/api/version", "/api/jobs?status=active", "/api/config/version", "/metrics"]) expect((await call(inst.base, p)).status, p).toBe(200);
    // The operator's token sees through maintenance (the smoke test runs before it ends).
    expect((await call(inst.base, "/api/items?limit=1", { admin: true })).status).toBe(200);
    // Stored in the database: a second app process sees it too.
    const rows = await sql<{ value: { enabled: boolean } }>(db, "SELECT value FROM platform_settings WHERE key = 'maintenance'");
    expect(rows[0]?.value.enabled).toBe(true);

    expect((await call(inst.base, "/admin/maintenance", { method: "POST", admin: true, body: { enabled: false } })).status).toBe(200);
    expect((await call(inst.base, "/api/items?limit=1")).status).toBe(200);
    expect((await call(inst.base, "/health/status")).json.maintenance).toEqual({ enabled: false, message: null });
  });

  it("runs jobs, counts the active ones, and stops claiming while paused", async () => {
    const job = await call(inst.base, "/admin/jobs", { method: "POST", admin: true, body: { kind: "report", durationMs: 1500 } });
    expect(job.status).toBe(201);
    const active = await waitFor("an active job", async () => {
      const r = await call(inst.base, "/api/jobs?status=active");
      return r.json.count === 1 ? r.json : undefined;
    });
    expect(active).toMatchObject({ count: 1, paused: false, jobs: [{ kind: "report", status: "active" }] });

    expect((await call(inst.base, "/admin/jobs/pause", { method: "POST", admin: true })).json).toEqual({ paused: true });
    await call(inst.base, "/admin/jobs", { method: "POST", admin: true, body: { kind: "held", durationMs: 100 } });
    // The running job finishes; the new one is not claimed while paused.
    await waitFor("the running job to finish", async () => (await call(inst.base, "/api/jobs?status=active")).json.count === 0, 5000);
    await sleep(800);
    const paused = await call(inst.base, "/api/jobs?status=active");
    expect(paused.json).toMatchObject({ count: 0, paused: true });
    expect(parseMetrics((await call(inst.base, "/metrics")).text).get("webwaka_job_queue_depth")).toBe(1);

    await call(inst.base, "/admin/jobs/resume", { method: "POST", admin: true });
    await waitFor("the held job to run", async () => (await sql<{ status: string }>(db, "SELECT status FROM jobs WHERE kind = 'held'"))[0]?.status === "done", 5000);
  });

  it("exports the Prometheus series", async () => {
    const res = await call(inst.base, "/metrics");
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const m = parseMetrics(res.text);
    expect(m.get('http_requests_total{status="200"}')).toBeGreaterThan(5);
    expect(m.get('http_requests_total{status="503"}')).toBeGreaterThanOrEqual(2);
    const count = m.get("http_request_duration_seconds_count") ?? 0;
    expect(count).toBeGreaterThan(5);
    expect(m.get('http_request_duration_seconds_bucket{le="+Inf"}')).toBe(count);
    expect(m.get('http_request_duration_seconds_bucket{le="0.005"}')).toBeLessThanOrEqual(m.get('http_request_duration_seconds_bucket{le="10"}') ?? 0);
    expect(m.get("http_request_duration_seconds_sum")).toBeGreaterThan(0);
    for (const g of ["process_cpu_percent", "process_memory_percent", "webwaka_job_queue_depth"]) expect(m.get(g), g).toBeTypeOf("number");
    expect(m.get("process_memory_percent")).toBeGreaterThan(0);
    expect(m.get("process_memory_percent")).toBeLessThan(100);
  });

  it("passes its own smoke test", async () => {
    const smoke = await node("1.0.0", ["smoke.js", "--url", inst.base], {});
    expect(smoke.code, smoke.stdout + smoke.stderr).toBe(0);
    expect(JSON.parse(smoke.stdout)).toMatchObject({ ok: true, version: "1.0.0" });
    const wrong = await node("1.0.0", ["smoke.js", "--url", inst.base, "--expect-version", "9.9.9"], {});
    expect(wrong.code).toBe(1);
  });

  it("stops cleanly on SIGTERM, handing a running job back to the queue", async () => {
    await call(inst.base, "/admin/jobs", { method: "POST", admin: true, body: { kind: "long", durationMs: 60_000 } });
    await waitFor("the long job to start", async () => (await call(inst.base, "/api/jobs?status=active")).json.count === 1);
    const [app, worker] = await Promise.all([stop(inst.app), stop(inst.worker)]);
    expect(app, inst.app.output()).toBe(0);
    expect(worker, inst.worker?.output()).toBe(0);
    expect((await sql<{ status: string }>(db, "SELECT status FROM jobs WHERE kind = 'long'"))[0]?.status).toBe("queued");
  });

  it("upgrades to 0002 with 1.1.0 and reverts to 0001 with its down migrations, keeping the items", async () => {
    const before = await schemaSnapshot(db);
    const items = await sql<{ n: number }>(db, "SELECT count(*)::int AS n FROM items");
    const up = await migrate("1.1.0", db, "up");
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse((await migrate("1.1.0", db, "status")).stdout)).toMatchObject({ current: "0002", applied: ["0001", "0002"], pending: [] });
    expect(await schemaSnapshot(db)).not.toEqual(before);

    // 1.0.0 cannot revert what it does not know; the release that brought 0002 can.
    const refused = await migrate("1.0.0", db, "down", "--to", "0001");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/no down migration for 0002/);
    const down = await migrate("1.1.0", db, "down", "--to", "0001");
    expect(down.code, down.stderr).toBe(0);
    expect(await schemaSnapshot(db)).toEqual(before);
    expect(await sql<{ n: number }>(db, "SELECT count(*)::int AS n FROM items")).toEqual(items);
  });

  it("round-trips 2.0.0's jobs/job_runs split", async () => {
    const before = await schemaSnapshot(db);
    const jobsBefore = await sql(db, "SELECT id, kind, status, started_at, finished_at, claimed_by FROM jobs ORDER BY id");
    expect((await migrate("2.0.0", db, "up")).code).toBe(0);
    const runs = await sql<{ n: number }>(db, "SELECT count(*)::int AS n FROM job_runs");
    expect(runs[0]?.n).toBe(jobsBefore.filter((j) => j.started_at !== null).length);
    const down = await migrate("2.0.0", db, "down", "--to", "0001");
    expect(down.code, down.stderr).toBe(0);
    expect(await schemaSnapshot(db)).toEqual(before);
    expect(await sql(db, "SELECT id, kind, status, started_at, finished_at, claimed_by FROM jobs ORDER BY id")).toEqual(jobsBefore);
  });
});

describe("the faulty builds", () => {
  let db = "";
  let config = "";

  beforeAll(async () => {
    db = await newDatabase("faults");
    config = writeConfig("faults", OLD_CONFIG);
    expect((await migrate("1.0.0", db, "up")).code).toBe(0);
  });

  it("1.1.1-fault.migration fails half-way, rolls back, and leaves the schema at 0001", async () => {
    const before = await schemaSnapshot(db);
    const res = await migrate("1.1.1-fault.migration", db, "up");
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/0002_audit_events failed and was rolled back; the schema stays at 0001/);
    expect(await schemaSnapshot(db)).toEqual(before);
    expect(await sql(db, "SELECT to_regclass('audit_events') AS t")).toEqual([{ t: null }]);
    expect(JSON.parse((await migrate("1.1.1-fault.migration", db, "status")).stdout)).toMatchObject({ current: "0001", pending: ["0002"] });
  });

  it("1.1.1-fault.unhealthy migrates and serves, but its health stays 503", async () => {
    expect((await migrate("1.1.1-fault.unhealthy", db, "up")).code).toBe(0);
    const inst = await startInstance("1.1.1-fault.unhealthy", db, { configFile: config });
    for (let i = 0; i < 3; i++) {
      const health = await call(inst.base, "/health/status");
      expect(health.status).toBe(503);
      expect(health.json).toMatchObject({ status: "unhealthy", version: "1.1.1-fault.unhealthy", checks: { database: "ok" } });
      await sleep(200);
    }
    expect((await call(inst.base, "/api/items", { method: "POST", body: { text: "still works" } })).status).toBe(201);
    expect(await stop(inst.app)).toBe(0);
  });

  it("1.1.1-fault.errors starts healthy, then more and more /api/* requests answer 500", async () => {
    expect((await migrate("1.1.1-fault.errors", db, "up")).code).toBe(0);
    const inst = await startInstance("1.1.1-fault.errors", db, { configFile: config, env: { FAULT_ERROR_RAMP_SECONDS: "3" } });
    const share = async () => {
      let errors = 0;
      for (let i = 0; i < 20; i++) if ((await call(inst.base, "/api/items?limit=1")).status === 500) errors += 1;
      return errors / 20;
    };
    expect((await call(inst.base, "/health/status")).status).toBe(200);
    const early = await share();
    await sleep(3200);
    const late = await share();
    expect(early).toBeLessThan(0.4);
    expect(late).toBe(1);
    const m = parseMetrics((await call(inst.base, "/metrics")).text);
    expect(m.get('http_requests_total{status="500"}')).toBeGreaterThanOrEqual(20);
    expect(await stop(inst.app)).toBe(0);
  });
});

describe("2.0.0", () => {
  it("exits 78 on the old config key and starts on the new one", async () => {
    const db = await newDatabase("v2");
    expect((await migrate("2.0.0", db, "up")).code).toBe(0);

    const env = { DATABASE_URL: db, PORT: String(await freePort()), ADMIN_TOKEN, INSTANCE_ID: "v2" };
    const old = await node("2.0.0", ["app.js"], { ...env, CONFIG_FILE: writeConfig("v2-old", OLD_CONFIG) });
    expect(old.code).toBe(78);
    expect(old.stderr).toMatch(/DB_POOL_SIZE was renamed DATABASE_POOL_MAX/);
    const both = await node("2.0.0", ["worker.js"], { ...env, CONFIG_FILE: writeConfig("v2-both", { configVersion: 2, values: { DB_POOL_SIZE: 3, DATABASE_POOL_MAX: 3 } }) });
    expect(both.code).toBe(78);
    const none = await node("2.0.0", ["app.js"], { ...env, CONFIG_FILE: writeConfig("v2-none", { configVersion: 2, values: {} }) });
    expect(none.code).toBe(78);
    expect(none.stderr).toMatch(/DATABASE_POOL_MAX is required/);

    const inst = await startInstance("2.0.0", db, { configFile: writeConfig("v2-new", NEW_CONFIG), worker: true });
    expect((await call(inst.base, "/health/status")).json).toMatchObject({ status: "healthy", version: "2.0.0" });
    await call(inst.base, "/admin/jobs", { method: "POST", admin: true, body: { kind: "v2", durationMs: 100 } });
    await waitFor("the job to run on job_runs", async () => {
      const rows = await sql<{ status: string; runs: number }>(db, "SELECT j.status, (SELECT count(*)::int FROM job_runs r WHERE r.job_id = j.id AND r.finished_at IS NOT NULL) AS runs FROM jobs j");
      return rows[0]?.status === "done" && rows[0].runs === 1;
    });
    const smoke = await node("2.0.0", ["smoke.js", "--url", inst.base], {});
    expect(smoke.code, smoke.stdout).toBe(0);
    const [app, worker] = await Promise.all([stop(inst.app), stop(inst.worker)]);
    expect([app, worker]).toEqual([0, 0]);
  });
});
