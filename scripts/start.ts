// `npm start`: everything for one machine. With no DATABASE_URL it runs a private PostgreSQL
// under .data/, applies migrations, seeds the demo on first run, builds the web app if needed,
// and serves the console. Ctrl-C stops it all; the data stays for the next start.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startLocalPostgres, type LocalPostgres } from "./lib/local-postgres";
import { ensureDatabase } from "./lib/ensure-database";
import { grantAppRole } from "./lib/app-role";
import { loadOrCreateSecret } from "./lib/secrets";
import { buildIfStale } from "./lib/build";
import { deployMigrations } from "./db/deploy";
import { seedDemo } from "./db/seed";
import { prepareFleet, stopFleetProcesses } from "./lib/fleet";
import { supervise, type Supervised } from "./lib/supervise";
import { webServerArgs } from "./lib/web-server";
import { consoleDataDir } from "./lib/data-dir";

const root = path.resolve(import.meta.dirname, "..");
const dataDir = consoleDataDir(root);
const log = (line: string) => console.log(`[console] ${line}`);

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`PORT must be a port number, not "${process.env.PORT}".`);
  process.exit(2);
}

// One `npm start` per folder: a second would share, and on exit stop, the first one's database.
const lockFile = path.join(dataDir, "console.pid");
// 711: the postgres user must pass through to its cluster; the secrets inside are mode 600.
mkdirSync(dataDir, { recursive: true });
chmodSync(dataDir, 0o711);
if (existsSync(lockFile)) {
  const other = Number(readFileSync(lockFile, "utf8").trim());
  let alive = false;
  try {
    alive = Number.isInteger(other) && other > 0 && process.kill(other, 0);
  } catch {
    alive = false;
  }
  if (alive && other !== process.pid) {
    console.error(`[console] Another console is already running from this folder (pid ${other}). Stop it first.`);
    process.exit(1);
  }
}
writeFileSync(lockFile, String(process.pid));

let pg: LocalPostgres | undefined;
let web: Supervised | undefined;
let worker: Supervised | undefined;
let fleetReady = false;
let stopping = false;

function shutdown(code: number): void {
  if (stopping) return;
  stopping = true;
  log("Stopping…");
  void (async () => {
    await Promise.all([web?.stop(), worker?.stop()]);
    if (fleetReady) await stopFleetProcesses(log).catch((e: unknown) => log(`Stopping the demo fleet failed: ${String(e)}`));
    pg?.stop();
    rmSync(lockFile, { force: true });
    log("Stopped.");
    process.exit(code);
  })();
}

process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

try {
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    pg = await startLocalPostgres({ dataDir: path.join(dataDir, "postgres"), log, stopIfAttached: true });
    await ensureDatabase(pg.url("postgres"), "upgrade_console");
    databaseUrl = pg.url("upgrade_console");
  } else {
    log("Using the database at DATABASE_URL.");
  }

  const { applied } = await deployMigrations(databaseUrl, { log });
  log(applied.length ? `Applied ${applied.length} migration(s).` : "The database schema is up to date.");
  if (pg) databaseUrl = await grantAppRole(pg, "upgrade_console");

  const seed = await seedDemo(databaseUrl, { password: process.env.DEMO_PASSWORD });
  if (seed.seeded) {
    log("Seeded the demo: admin@webwaka.local (superadmin), approver@webwaka.local, viewer@webwaka.local.");
    if (seed.generated) {
      log(`Their password, shown this once: ${seed.password}`);
      log("Set DEMO_PASSWORD before the first start to choose it instead.");
    } else log("Their password is the DEMO_PASSWORD you set.");
  }

  // The engine's modules read these from the environment (lib/env.ts).
  process.env.DATABASE_URL = databaseUrl;
  process.env.NEXTAUTH_SECRET ??= loadOrCreateSecret(path.join(dataDir, "nextauth-secret"), 32);
  process.env.ENCRYPTION_KEY ??= loadOrCreateSecret(path.join(dataDir, "encryption-key"), 32, "base64");
  process.env.STORAGE_DIR ??= path.join(dataDir, "storage");
  const adminUrl = pg ? pg.url("postgres") : databaseUrl;
  await prepareFleet({ root, releasesDir: path.join(dataDir, "releases"), adminDatabaseUrl: adminUrl, log });
  fleetReady = true;

  buildIfStale(root, log);

  const env = {
    ...process.env,
    NODE_ENV: "production" as const,
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: databaseUrl,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET,
    ENCRYPTION_KEY: process.env.ENCRYPTION_KEY,
    STORAGE_DIR: process.env.STORAGE_DIR,
    // The worker keeps the demo feed in sync. Its auto-update scan stays off in the demo unless
    // asked for, so the demo instances wait for you (README: "Auto-update").
    RELEASE_FEED: process.env.RELEASE_FEED ?? path.join(dataDir, "releases", "feed.json"),
    AUTO_UPDATE_INTERVAL_SECONDS: process.env.AUTO_UPDATE_INTERVAL_SECONDS ?? "0",
    NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`,
  };
  const { portFree } = await import("./lib/local-postgres");
  if (!(await portFree(port))) throw new Error(`Port ${port} is already in use on this machine. Stop what uses it, or start the console with another PORT.`);
  // The web server and the worker are restarted when they die (a crash, an out-of-memory kill);
  // both ride out a database outage by themselves (docs/architecture.md, "Restarts and crashes").
  web = supervise({ name: "web server", log, start: () => spawn(process.execPath, webServerArgs(root, port, host), { cwd: root, env, stdio: "inherit" }) });
  worker = supervise({ name: "worker", log, start: () => spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", path.join(root, "worker/main.ts")], { cwd: root, env, stdio: "inherit" }) });
  // Said once the web server answers, so the address works when it is read.
  const probe = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}/health/status`;
  for (let waited = 0; waited < 120_000 && !stopping; waited += 250) {
    if (await fetch(probe).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!stopping) log(`The console is at ${env.NEXTAUTH_URL}  (Ctrl-C to stop)`);
} catch (e) {
  console.error(`[console] ${e instanceof Error ? e.message : String(e)}`);
  shutdown(1);
}
