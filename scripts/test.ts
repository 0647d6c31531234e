// `npm test`: lint, typecheck, then the unit/API suite (Vitest) and the browser suite
// (Playwright, Debian's Chromium) against a real PostgreSQL and a real `next start` on 127.0.0.1.
// A fresh database per run; nothing is mocked. Ends with one line: `N passed, N failed`.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client";
import { startLocalPostgres, freePort, type LocalPostgres } from "./lib/local-postgres";
import { dropDatabase, ensureDatabase } from "./lib/ensure-database";
import { buildIfStale } from "./lib/build";
import { deployMigrations } from "./db/deploy";
import { seedDemo } from "./db/seed";
import { generateApiToken } from "../lib/auth/tokens";
import { prepareFleet, stopFleetProcesses } from "./lib/fleet";

const root = path.resolve(import.meta.dirname, "..");
const work = path.join(root, ".test-data");
const log = (line: string) => console.log(`[test] ${line}`);

type Phase = { name: string; passed: number; failed: number; skipped: number };
const phases: Phase[] = [];
// `npm test -- path/filter` runs only matching Vitest files and skips lint and the browser suite:
// for working on one area. CI runs everything.
const filters = process.argv.slice(2).filter((a) => !a.startsWith("-"));

function runTool(name: string, args: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  log(`${name}: ${args.join(" ")}`);
  const res = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit", env });
  const ok = res.status === 0;
  phases.push({ name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 });
  return ok;
}

async function waitForHealthy(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The test server exited early (code ${child.exitCode}).`);
    try {
      const res = await fetch(`${url}/health/status`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The test server was not healthy within ${timeoutMs / 1000} s.`);
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return null;
  }
}

let pg: LocalPostgres | undefined;
let server: ChildProcess | undefined;
let worker: ChildProcess | undefined;
let fleetReady = false;
let adminUrl: string | undefined;
const dbName = `console_test_${Date.now()}_${process.pid}`;

async function main(): Promise<void> {
  mkdirSync(work, { recursive: true });

  // Static checks first: they are quick and say the most about a broken tree.
  if (!filters.length) runTool("lint", [path.join(root, "node_modules/eslint/bin/eslint.js"), "--max-warnings=0", "."]);
  if (!filters.length) runTool("typecheck", [path.join(root, "node_modules/typescript/bin/tsc"), "--noEmit"]);

  pg = await startLocalPostgres({ dataDir: path.join(work, "postgres"), log, stopIfAttached: true });
  adminUrl = pg.url("postgres");
  await ensureDatabase(adminUrl, dbName);
  const databaseUrl = pg.url(dbName);
  await deployMigrations(databaseUrl, { log });

  const password = randomBytes(12).toString("base64url");
  await seedDemo(databaseUrl, { password });
  const tokens = await createRoleTokens(databaseUrl);

  // What the server, the workers and the tests share. Short leases and health timeouts keep the
  // crash-and-resume and faulty-build tests quick; the behaviour is the same as in production.
  const shared = {
    DATABASE_URL: databaseUrl,
    TEST_ADMIN_DATABASE_URL: adminUrl,
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    STORAGE_DIR: path.join(work, `storage-${dbName}`),
    RUN_LEASE_SECONDS: "4",
    HEALTH_TIMEOUT_SECONDS: "8",
    TEST_RELEASES_DIR: path.join(work, "releases"),
  };
  Object.assign(process.env, shared);
  await prepareFleet({ root, releasesDir: shared.TEST_RELEASES_DIR, adminDatabaseUrl: adminUrl, log });
  fleetReady = true;

  buildIfStale(root, log);

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    ...shared,
    NEXTAUTH_URL: baseUrl,
    TEST_BASE_URL: baseUrl,
    TEST_PASSWORD: password,
    TEST_TOKENS: JSON.stringify(tokens),
  };
  server = spawn(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const serverLog: string[] = [];
  const keep = (b: Buffer) => {
    serverLog.push(b.toString());
    if (serverLog.length > 400) serverLog.shift();
  };
  server.stdout?.on("data", keep);
  server.stderr?.on("data", keep);
  await waitForHealthy(baseUrl, server);
  log(`Test server at ${baseUrl}, database ${dbName}`);

  const vitestJson = path.join(work, "vitest.json");
  rmSync(vitestJson, { force: true });
  spawnSync(process.execPath, [path.join(root, "node_modules/vitest/vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestJson}`, ...filters], {
    cwd: root,
    stdio: "inherit",
    env: { ...env, NODE_ENV: "test" },
  });
  const v = readJson<{ numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number; success: boolean }>(vitestJson);
  phases.push(v ? { name: "vitest", passed: v.numPassedTests, failed: v.numFailedTests + (v.success || v.numFailedTests ? 0 : 1), skipped: v.numPendingTests + v.numTodoTests } : { name: "vitest", passed: 0, failed: 1, skipped: 0 });

  if (filters.length) return;
  // The browser suite watches runs progress, so it needs a worker; Vitest files start their own.
  worker = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", path.join(root, "scripts/worker.ts")], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  worker.stdout?.on("data", keep);
  worker.stderr?.on("data", keep);
  const pwJson = path.join(work, "playwright.json");
  rmSync(pwJson, { force: true });
  spawnSync(process.execPath, [path.join(root, "node_modules/@playwright/test/cli.js"), "test", "--reporter=list,json"], {
    cwd: root,
    stdio: "inherit",
    env: { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson },
  });
  const p = readJson<{ stats: { expected: number; unexpected: number; flaky: number; skipped: number } }>(pwJson);
  phases.push(p ? { name: "playwright", passed: p.stats.expected + p.stats.flaky, failed: p.stats.unexpected, skipped: p.stats.skipped } : { name: "playwright", passed: 0, failed: 1, skipped: 0 });

  const failedAny = phases.some((ph) => ph.failed > 0);
  if (failedAny) {
    console.log("\n[test] Last lines of the test server's log:");
    console.log(serverLog.join("").split("\n").slice(-40).join("\n"));
  }
}

async function createRoleTokens(databaseUrl: string): Promise<Record<string, string>> {
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  try {
    const out: Record<string, string> = {};
    for (const role of ["superadmin", "approver", "viewer"] as const) {
      const user = await db.user.findFirstOrThrow({ where: { role } });
      const t = generateApiToken();
      await db.apiToken.create({ data: { userId: user.id, name: `test ${role}`, tokenHash: t.hash, prefix: t.prefix } });
      out[role] = t.token;
    }
    return out;
  } finally {
    await db.$disconnect();
  }
}

/** The instances' own databases live on the same private cluster; this run made them. */
async function dropInstanceDatabases(url: string): Promise<void> {
  const { default: pg } = await import("pg");
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'instance\\_%' OR datname LIKE 'platform\\_test\\_%'");
    for (const r of rows) await dropDatabase(url, r.datname);
  } finally {
    await c.end();
  }
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill("SIGKILL");
}

async function cleanup(): Promise<void> {
  await stopChild(server);
  await stopChild(worker);
  if (fleetReady) await stopFleetProcesses(log).catch((e: unknown) => log(`Stopping the fleet failed: ${String(e)}`));
  if (adminUrl) await dropDatabase(adminUrl, dbName).catch((e: unknown) => log(`Could not drop ${dbName}: ${String(e)}`));
  if (adminUrl) await dropInstanceDatabases(adminUrl).catch((e: unknown) => log(`Could not drop instance databases: ${String(e)}`));
  if (process.env.STORAGE_DIR?.startsWith(work)) rmSync(process.env.STORAGE_DIR, { recursive: true, force: true });
  pg?.stop();
}

let crashed = false;
try {
  await main();
} catch (e) {
  crashed = true;
  console.error(`[test] ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
} finally {
  await cleanup();
}

console.log("\n[test] Summary");
// Only the last line has the `N passed, N failed` shape, so CI reads the total.
for (const ph of phases) console.log(`[test]   ${ph.name.padEnd(10)} passed ${ph.passed}, failed ${ph.failed}${ph.skipped ? `, skipped ${ph.skipped}` : ""}`);
const passed = phases.reduce((n, ph) => n + ph.passed, 0);
const failed = phases.reduce((n, ph) => n + ph.failed, 0) + (crashed ? 1 : 0);
const skipped = phases.reduce((n, ph) => n + ph.skipped, 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || passed === 0 || !existsSync(root) ? 1 : 0);
