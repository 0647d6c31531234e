// A whole console on this machine for the test suite and the benchmarks: a private PostgreSQL, a
// fresh migrated and seeded database, the reference platform's fleet, the web server
// (scripts/web-server.mjs: Next behind node:http) on a free loopback port, and worker processes on
// demand. `stop()` undoes all of it.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma/client";
import { startLocalPostgres, freePort, type LocalPostgres } from "./local-postgres";
import { dropDatabase, ensureDatabase } from "./ensure-database";
import { grantAppRole } from "./app-role";
import { buildIfStale } from "./build";
import { prepareFleet, stopFleetProcesses } from "./fleet";
import { webServerArgs } from "./web-server";
import { deployMigrations } from "../db/deploy";
import { seedDemo } from "../db/seed";
import { generateApiToken } from "../../lib/auth/tokens";

export type Stack = {
  baseUrl: string;
  databaseUrl: string;
  adminUrl: string;
  password: string;
  tokens: Record<"superadmin" | "approver" | "viewer", string>;
  /** The environment the server runs with (and tests and workers should run with). */
  env: NodeJS.ProcessEnv;
  serverPid: number;
  serverLog: () => string;
  startWorker: () => ChildProcess;
  stop: () => Promise<void>;
};

async function createRoleTokens(databaseUrl: string): Promise<Stack["tokens"]> {
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  try {
    const out: Partial<Stack["tokens"]> = {};
    for (const role of ["superadmin", "approver", "viewer"] as const) {
      const user = await db.user.findFirstOrThrow({ where: { role } });
      const t = generateApiToken();
      await db.apiToken.create({ data: { userId: user.id, name: `${role} (suite)`, tokenHash: t.hash, prefix: t.prefix } });
      out[role] = t.token;
    }
    return out as Stack["tokens"];
  } finally {
    await db.$disconnect();
  }
}

async function waitForHealthy(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The server exited early (code ${child.exitCode}).`);
    const ok = await fetch(`${url}/health/status`).then((r) => r.ok).catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The server was not healthy within ${timeoutMs / 1000} s.`);
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill("SIGKILL");
}

/** The instances' own databases live on the same private cluster; this stack made them. */
async function dropInstanceDatabases(url: string): Promise<void> {
  const { default: pg } = await import("pg");
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'instance\\_%'");
    for (const r of rows) await dropDatabase(url, r.datname);
  } finally {
    await c.end();
  }
}

export async function startStack(opts: { root: string; work: string; name: string; extraEnv?: Record<string, string>; log: (line: string) => void }): Promise<Stack> {
  const { root, work, log } = opts;
  mkdirSync(work, { recursive: true });
  const dbName = `${opts.name}_${Date.now()}_${process.pid}`;
  const children: ChildProcess[] = [];
  let pg: LocalPostgres | undefined;
  let fleetReady = false;
  const logLines: string[] = [];
  const keep = (b: Buffer) => {
    logLines.push(b.toString());
    if (logLines.length > 400) logLines.shift();
  };

  const stop = async () => {
    for (const c of children) await stopChild(c);
    if (fleetReady) await stopFleetProcesses(log).catch((e: unknown) => log(`Stopping the fleet failed: ${String(e)}`));
    if (pg) {
      const admin = pg.url("postgres");
      await dropDatabase(admin, dbName).catch((e: unknown) => log(`Could not drop ${dbName}: ${String(e)}`));
      await dropInstanceDatabases(admin).catch((e: unknown) => log(`Could not drop instance databases: ${String(e)}`));
      pg.stop();
    }
    rmSync(path.join(work, `storage-${dbName}`), { recursive: true, force: true });
  };

  try {
    pg = await startLocalPostgres({ dataDir: path.join(work, "postgres"), log, stopIfAttached: true });
    const adminUrl = pg.url("postgres");
    await ensureDatabase(adminUrl, dbName);
    // Migrations as the owner; the seed, the server, the workers and the tests as the app role.
    const ownerUrl = pg.url(dbName);
    await deployMigrations(ownerUrl, { log });
    const databaseUrl = await grantAppRole(pg, dbName);
    const password = randomBytes(12).toString("base64url");
    await seedDemo(databaseUrl, { password });
    const tokens = await createRoleTokens(databaseUrl);

    const shared: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      TEST_ADMIN_DATABASE_URL: adminUrl,
      TEST_OWNER_DATABASE_URL: ownerUrl,
      NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      STORAGE_DIR: path.join(work, `storage-${dbName}`),
      TEST_RELEASES_DIR: path.join(work, "releases"),
      // Tests drive the seeded instances by hand; the auto-update test starts its own scanning worker.
      AUTO_UPDATE_INTERVAL_SECONDS: "0",
      ...opts.extraEnv,
    };
    // The fleet is prepared in this process, through the same modules the server uses.
    Object.assign(process.env, shared);
    await prepareFleet({ root, releasesDir: shared.TEST_RELEASES_DIR ?? "", adminDatabaseUrl: adminUrl, log });
    fleetReady = true;

    buildIfStale(root, log);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...shared, NEXTAUTH_URL: baseUrl, TEST_BASE_URL: baseUrl, TEST_PASSWORD: password, TEST_TOKENS: JSON.stringify(tokens) };
    const server = spawn(process.execPath, webServerArgs(root, port, "127.0.0.1"), { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    children.push(server);
    // Tests that watch the server's memory (test/api/hostile-input.test.ts) read /proc/<pid>.
    env.TEST_SERVER_PID = String(server.pid ?? "");
    server.stdout?.on("data", keep);
    server.stderr?.on("data", keep);
    await waitForHealthy(baseUrl, server);
    log(`Server at ${baseUrl}, database ${dbName}`);

    return {
      baseUrl,
      databaseUrl,
      adminUrl,
      password,
      tokens,
      env,
      serverPid: server.pid ?? 0,
      serverLog: () => logLines.join(""),
      startWorker: () => {
        // `node --import tsx`, not the tsx CLI: one process, whose pid its lease names.
        const w = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", path.join(root, "worker/main.ts")], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
        w.stdout?.on("data", keep);
        w.stderr?.on("data", keep);
        children.push(w);
        return w;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
