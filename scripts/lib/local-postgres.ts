// Starts and stops a private PostgreSQL cluster in a folder of ours, for `npm start` without a
// DATABASE_URL and for the test suite. Uses the machine's PostgreSQL server binaries.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { createServer } from "node:net";
import path from "node:path";
import { APP_ROLE, ensureAppRole } from "./app-role";
import { loadOrCreateSecret } from "./secrets";

export type LocalPostgres = {
  /** As the superuser `postgres`, which owns the databases and runs the migrations. */
  url: (database: string) => string;
  /** As the console's own role (scripts/lib/app-role.ts), which owns nothing. */
  appUrl: (database: string) => string;
  port: number;
  stop: () => void;
  binDir: string;
};

export function findPostgresBinDir(): string | null {
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(path.join(root, v, "bin", "postgres")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(root, versions[0], "bin");
  }
  const probe = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  const dir = probe.status === 0 ? probe.stdout.trim() : "";
  return dir && existsSync(path.join(dir, "postgres")) ? dir : null;
}

/** Whether nothing listens on 127.0.0.1:port (binding it succeeds). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

function readPort(file: string): number | null {
  try {
    const n = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(n) && n > 0 && n < 65536 ? n : null;
  } catch {
    return null;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

// initdb and postgres refuse to run as root, so as root they run as the `postgres` user.
// setsid: the server gets a session of its own, so a Ctrl-C meant for the console does not reach
// it; the console stops it last, after the web server is down.
function asPostgres(bin: string, args: string[], opts: { cwd?: string } = {}): string {
  const cmd = "setsid";
  const argv = isRoot ? ["runuser", "-u", "postgres", "--", bin, ...args] : [bin, ...args];
  return execFileSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], cwd: opts.cwd ?? "/" });
}

function postgresUid(): { uid: number; gid: number } {
  const out = execFileSync("id", ["postgres"], { encoding: "utf8" });
  const uid = Number(/uid=(\d+)/.exec(out)?.[1]);
  const gid = Number(/gid=(\d+)/.exec(out)?.[1]);
  return { uid, gid };
}

/** Whether the postgres user can write `dir` (every folder above it must let it through). */
function postgresCanWrite(dir: string): boolean {
  return spawnSync("runuser", ["-u", "postgres", "--", "test", "-w", dir]).status === 0;
}

/**
 * Where the cluster's own files live (pgdata, its log): `root` itself, except when, as root, the
 * postgres user cannot reach it (a checkout inside a private home or a mode-700 temporary folder).
 * Then a folder of its own under /var/tmp, named after `root`, so the same data folder always finds
 * the same cluster. The passwords and the port stay in `root`, which only we read.
 */
export function clusterHome(root: string): string {
  if (!isRoot) return root;
  const { uid, gid } = postgresUid();
  if (existsSync(root)) {
    chownSync(root, uid, gid);
    if (postgresCanWrite(root)) return root;
  }
  const parent = "/var/tmp/webwaka-console-postgres";
  mkdirSync(parent, { recursive: true, mode: 0o711 });
  chmodSync(parent, 0o711);
  const home = path.join(parent, createHash("sha256").update(root).digest("hex").slice(0, 16));
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chownSync(home, uid, gid);
  if (!postgresCanWrite(home)) throw new Error(`The postgres user cannot write ${root} nor ${home}. Set DATABASE_URL to a PostgreSQL 15+ database.`);
  return home;
}

function describe(e: unknown): string {
  const err = e as { stderr?: string; message?: string };
  return (err.stderr || err.message || String(e)).trim();
}

/**
 * Stops the cluster in `dataDir` if it runs. `immediate` is a crash as far as the clients can tell
 * (no checkpoint, connections cut): the outage tests use it.
 */
export function stopLocalPostgres(dataDir: string, mode: "fast" | "immediate" = "fast"): void {
  const binDir = findPostgresBinDir();
  if (!binDir) return;
  const pgdata = path.join(clusterHome(path.resolve(dataDir)), "pgdata");
  if (!existsSync(path.join(pgdata, "postmaster.pid"))) return;
  asPostgres(path.join(binDir, "pg_ctl"), ["stop", "-D", pgdata, "-m", mode, "-w", "-t", "30"]);
}

/** Stops the cluster of `dataDir` at once and deletes its files, also those kept under /var/tmp. */
export function removeLocalPostgres(dataDir: string): void {
  try {
    stopLocalPostgres(dataDir, "immediate");
  } catch {
    // not running
  }
  const root = path.resolve(dataDir);
  const home = clusterHome(root);
  if (home !== root) rmSync(home, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
}

/**
 * Starts (initialising on first use) a cluster in `dataDir`, listening on 127.0.0.1 only, with a
 * generated password kept beside it (mode 600), and the console's role with a password of its own
 * beside that. Returns once it accepts connections. A cluster that is already running is attached
 * to, not restarted.
 */
export async function startLocalPostgres(opts: {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
  /** Whether stop() also stops a cluster that was already running when we attached. */
  stopIfAttached?: boolean;
}): Promise<LocalPostgres> {
  const log = opts.log ?? (() => {});
  const binDir = findPostgresBinDir();
  if (!binDir) {
    throw new Error(
      "No PostgreSQL server found. Install it (Debian: `apt-get install -y postgresql`), or set DATABASE_URL to a PostgreSQL 15+ database.",
    );
  }
  const root = path.resolve(opts.dataDir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const home = clusterHome(root);
  const pgdata = path.join(home, "pgdata");
  const passwordFile = path.join(root, "pg-password");
  // The port is chosen once and kept here: connection strings stored elsewhere (the demo fleet's
  // databases) name it. Only when something else took it does the cluster move.
  const portFile = path.join(root, "port");
  if (home !== root) {
    log(`The postgres user cannot reach ${root}; the cluster lives in ${home}`);
    // A cluster left there by an earlier folder of the same path, since deleted: its password
    // went with that folder, so it cannot be used. Stop it if it runs, and start afresh.
    if (!existsSync(passwordFile) && existsSync(pgdata)) {
      if (existsSync(path.join(pgdata, "postmaster.pid"))) {
        try {
          asPostgres(path.join(binDir, "pg_ctl"), ["stop", "-D", pgdata, "-m", "immediate", "-w", "-t", "30"]);
        } catch {
          // not running after all
        }
      }
      rmSync(pgdata, { recursive: true, force: true });
    }
  }

  const password = loadOrCreateSecret(passwordFile, 18);
  const appPassword = loadOrCreateSecret(path.join(root, "app-password"), 18);

  if (!existsSync(path.join(pgdata, "PG_VERSION"))) {
    log(`Initialising a private PostgreSQL cluster in ${pgdata}`);
    const pwTmp = path.join(home, ".initdb-pw");
    writeFileSync(pwTmp, password + "\n", { mode: 0o600 });
    if (isRoot) {
      const { uid, gid } = postgresUid();
      chownSync(pwTmp, uid, gid);
    }
    try {
      asPostgres(path.join(binDir, "initdb"), ["-D", pgdata, "-U", "postgres", `--pwfile=${pwTmp}`, "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8"]);
    } catch (e) {
      throw new Error(`initdb failed: ${describe(e)}`);
    } finally {
      execFileSync("rm", ["-f", pwTmp]);
    }
  }

  const pgCtl = path.join(binDir, "pg_ctl");
  const url = (port: number) => (database: string) => `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const appUrl = (port: number) => (database: string) => `postgresql://${APP_ROLE}:${encodeURIComponent(appPassword)}@127.0.0.1:${port}/${database}`;
  const stopCluster = () => {
    try {
      asPostgres(pgCtl, ["stop", "-D", pgdata, "-m", "fast", "-w", "-t", "30"]);
    } catch (e) {
      console.error(`Stopping PostgreSQL failed: ${describe(e)}`);
    }
  };

  // Already running (another `npm start`, or one that crashed): attach to it instead of
  // restarting it under whoever is using it. Its port is line 4 of postmaster.pid.
  const status = spawnSync(isRoot ? "runuser" : pgCtl, isRoot ? ["-u", "postgres", "--", pgCtl, "status", "-D", pgdata] : ["status", "-D", pgdata], { cwd: "/" });
  if (status.status === 0) {
    const runningPort = Number(readFileSync(path.join(pgdata, "postmaster.pid"), "utf8").split("\n")[3]);
    log(`Using the PostgreSQL already running on 127.0.0.1:${runningPort}`);
    if (readPort(portFile) !== runningPort) writeFileSync(portFile, `${runningPort}\n`);
    await ensureAppRole(url(runningPort)("postgres"), appPassword);
    let stopped = false;
    return {
      port: runningPort,
      binDir,
      url: url(runningPort),
      appUrl: appUrl(runningPort),
      stop: () => {
        if (stopped || !opts.stopIfAttached) return;
        stopped = true;
        stopCluster();
      },
    };
  }

  const stored = readPort(portFile);
  const port = opts.port ?? (stored !== null && (await portFree(stored)) ? stored : await freePort());
  if (stored !== null && stored !== port) log(`Port ${stored} is taken by another program; PostgreSQL moves to ${port}`);
  writeFileSync(portFile, `${port}\n`);
  const logFile = path.join(home, "postgres.log");
  const settings = [`-p ${port}`, "-c listen_addresses=127.0.0.1", "-c unix_socket_directories=''", "-c max_connections=200", "-c fsync=on"].join(" ");
  try {
    asPostgres(pgCtl, ["start", "-D", pgdata, "-l", logFile, "-w", "-t", "60", "-o", settings]);
  } catch (e) {
    const tail = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n") : "";
    throw new Error(`PostgreSQL did not start: ${describe(e)}\n${tail}`);
  }
  log(`PostgreSQL is listening on 127.0.0.1:${port}`);
  await ensureAppRole(url(port)("postgres"), appPassword);

  let stopped = false;
  return {
    port,
    binDir,
    url: url(port),
    appUrl: appUrl(port),
    stop: () => {
      if (stopped) return;
      stopped = true;
      stopCluster();
    },
  };
}
