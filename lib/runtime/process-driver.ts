// The zero-config driver: runs a release bundle (docs/platform-contract.md) as local child
// processes with pid files and logs. The processes are detached, so instances outlive a console
// crash; the console finds them again through the pid files.
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, renameSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createConnection } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { systemPath } from "@/lib/env";
import { DriverError, newerThan, type InstanceRuntime, type MigrateAction, type ReleaseArtifacts, type RuntimeDriver, type RuntimeStatus, type StepLog } from "@/lib/runtime/types";

const run = promisify(execFile);

type Component = "app" | "worker";
// `epoch`: the fencing token of the execution that started the process (absent outside a run).
type PidRecord = { pid: number; version: string; bundleDir: string; startedAt: string; epoch?: string };

function releaseDir(rt: InstanceRuntime, version: string): string {
  if (!/^[0-9A-Za-z.+-]+$/.test(version)) throw new DriverError("invalid_version", `Refusing an unsafe version string: ${version}`);
  return path.join(rt.workDir, "releases", version);
}

function pidFile(rt: InstanceRuntime, c: Component): string {
  return path.join(rt.workDir, `${c}.pid.json`);
}

function logFile(rt: InstanceRuntime, c: Component): string {
  return path.join(rt.workDir, "logs", `${c}.log`);
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

function readPid(rt: InstanceRuntime, c: Component): PidRecord | null {
  try {
    return JSON.parse(readFileSync(pidFile(rt, c), "utf8")) as PidRecord;
  } catch {
    return null;
  }
}

/** Alive and really ours: a pid can be reused after a reboot, so check its command line too. */
function isOurs(rec: PidRecord | null): boolean {
  if (!rec) return false;
  try {
    process.kill(rec.pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${rec.pid}/cmdline`, "utf8").includes(rec.bundleDir);
  } catch {
    return true; // no /proc: trust the signal probe
  }
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function tail(file: string, lines: number): Promise<string> {
  try {
    const text = await readFile(file, "utf8");
    return text.split("\n").slice(-lines - 1).join("\n").trim();
  } catch {
    return "";
  }
}

function baseEnv(rt: InstanceRuntime): NodeJS.ProcessEnv {
  // A clean environment: nothing of the console's own (its secrets included) leaks into instances.
  return { PATH: systemPath(), NODE_ENV: "production" as const, DATABASE_URL: rt.databaseUrl, INSTANCE_ID: rt.instanceId, CONFIG_FILE: rt.configFile };
}

function samePid(a: PidRecord | null, b: PidRecord | null): boolean {
  return !!a && !!b && a.pid === b.pid && a.startedAt === b.startedAt;
}

/** A pid file written by a newer execution is not ours to touch: refuse, loudly. */
function refuseNewer(rt: InstanceRuntime, c: Component, rec: PidRecord | null): void {
  if (rec && newerThan(rec.epoch, rt.fence)) {
    throw new DriverError("lease_lost", `The ${c} (pid ${rec.pid}) was started by a newer execution (epoch ${rec.epoch}); leaving it alone.`);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    process.kill(pid, signal);
  }
}

async function stopComponent(rt: InstanceRuntime, c: Component, log: StepLog): Promise<void> {
  const rec = readPid(rt, c);
  refuseNewer(rt, c, rec);
  if (isOurs(rec) && rec) {
    await rt.fence?.check(`stop the ${c}`);
    log("info", `Stopping ${c} ${rec.version} (pid ${rec.pid})`);
    signalGroup(rec.pid, "SIGTERM");
    for (let i = 0; i < 100 && isOurs(rec); i++) await sleep(100);
    if (isOurs(rec)) {
      await rt.fence?.check(`kill the ${c}`);
      log("warn", `${c} did not stop within 10 s; killing it`);
      signalGroup(rec.pid, "SIGKILL");
      for (let i = 0; i < 50 && isOurs(rec); i++) await sleep(100);
    }
  }
  // While this waited, a newer execution may have started the component and written its pid
  // file: remove the file only if it still names what was stopped here.
  await rt.fence?.check(`clear the ${c}'s pid file`);
  const now = readPid(rt, c);
  if (now && (samePid(now, rec) || !isOurs(now))) {
    refuseNewer(rt, c, now);
    rmSync(pidFile(rt, c), { force: true });
  }
}

async function startComponent(rt: InstanceRuntime, release: ReleaseArtifacts, c: Component): Promise<PidRecord> {
  const dir = releaseDir(rt, release.version);
  refuseNewer(rt, c, readPid(rt, c));
  await rt.fence?.check(`start the ${c}`);
  mkdirSync(path.dirname(logFile(rt, c)), { recursive: true });
  const fd = openSync(logFile(rt, c), "a");
  const env = c === "app" ? { ...baseEnv(rt), PORT: String(rt.port), HOST: "127.0.0.1", ADMIN_TOKEN: rt.adminToken } : baseEnv(rt);
  const child = spawn(process.execPath, [path.join(dir, `${c}.js`)], { cwd: dir, env, detached: true, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  child.unref();
  if (!child.pid) throw new DriverError("container_start_failed", `Could not start the ${c}.`);
  const rec: PidRecord = { pid: child.pid, version: release.version, bundleDir: dir, startedAt: new Date().toISOString(), ...(rt.fence ? { epoch: rt.fence.epoch.toString() } : {}) };
  const tmp = pidFile(rt, c) + ".tmp";
  writeFileSync(tmp, JSON.stringify(rec));
  renameSync(tmp, pidFile(rt, c));
  return rec;
}

export function createProcessDriver(): RuntimeDriver {
  return {
    kind: "process",

    async pull(rt, release, log) {
      if (!release.bundle) throw new DriverError("checksum_mismatch", `Release ${release.version} has no bundle artifact.`);
      if (!existsSync(release.bundle.path)) throw new DriverError("image_pull_failed", `The bundle for ${release.version} is missing from the artifact store.`);
      const actual = await sha256File(release.bundle.path);
      if (actual !== release.bundle.sha256) {
        throw new DriverError("checksum_mismatch", `Bundle ${release.version}: sha256 ${actual.slice(0, 12)}… does not match the release's ${release.bundle.sha256.slice(0, 12)}…`);
      }
      log("info", `Bundle ${release.version} verified (sha256 ${actual.slice(0, 16)}…)`);
      const dir = releaseDir(rt, release.version);
      const marker = path.join(dir, ".sha256");
      if (existsSync(marker) && readFileSync(marker, "utf8") === actual) {
        log("info", `Bundle ${release.version} already unpacked`);
        return { verified: actual };
      }
      // Unpack beside the target under a name of this attempt's own, then move it into place, so
      // two attempts (a stalled worker and its successor) never write into the same folder.
      const staging = `${dir}.partial-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
      mkdirSync(staging, { recursive: true });
      try {
        await run("tar", ["-xzf", release.bundle.path, "-C", staging, "--no-same-owner"]);
        // Bundles are tarred either flat or under one top folder; accept both.
        const inner = existsSync(path.join(staging, "release.json")) ? staging : path.join(staging, release.version);
        if (!existsSync(path.join(inner, "release.json"))) throw new DriverError("checksum_mismatch", `Bundle ${release.version} has no release.json.`);
        writeFileSync(path.join(inner, ".sha256"), actual);
        if (existsSync(marker) && readFileSync(marker, "utf8") === actual) {
          log("info", `Another attempt unpacked ${release.version} first; using it`);
          return { verified: actual };
        }
        await rt.fence?.check(`unpack ${release.version}`);
        rmSync(dir, { recursive: true, force: true });
        try {
          renameSync(inner, dir);
        } catch (e) {
          // Another attempt moved the same verified bundle into place between our check and ours.
          if (!(existsSync(marker) && readFileSync(marker, "utf8") === actual)) throw e;
        }
      } finally {
        rmSync(staging, { recursive: true, force: true });
      }
      log("info", `Unpacked ${release.version}`);
      return { verified: actual };
    },

    async migrate(rt, release, action: MigrateAction, log) {
      const dir = releaseDir(rt, release.version);
      if (!existsSync(path.join(dir, "migrate.js"))) throw new DriverError("migration_failed", `Release ${release.version} is not unpacked; pull it first.`);
      const args = action.direction === "up" ? ["up"] : ["down", "--to", action.to];
      await rt.fence?.check("run migrations");
      log("info", `node migrate.js ${args.join(" ")} (release ${release.version})`);
      try {
        const { stdout, stderr } = await run(process.execPath, [path.join(dir, "migrate.js"), ...args], { cwd: dir, env: baseEnv(rt), timeout: 10 * 60_000, maxBuffer: 8 * 1024 * 1024 });
        for (const line of `${stdout}\n${stderr}`.split("\n").filter(Boolean).slice(-20)) log("info", line);
      } catch (e) {
        const err = e as { stdout?: string; stderr?: string; killed?: boolean; message: string };
        const output = `${err.stdout ?? ""}\n${err.stderr ?? ""}`.trim().split("\n").slice(-15).join("\n");
        for (const line of output.split("\n").filter(Boolean)) log("error", line);
        throw new DriverError(err.killed ? "migration_timeout" : "migration_failed", output || err.message);
      }
    },

    async deploy(rt, release, log) {
      const dir = releaseDir(rt, release.version);
      if (!existsSync(path.join(dir, "app.js"))) throw new DriverError("container_start_failed", `Release ${release.version} is not unpacked; pull it first.`);
      const app = readPid(rt, "app");
      const worker = readPid(rt, "worker");
      if (isOurs(app) && isOurs(worker) && app?.version === release.version && worker?.version === release.version) {
        log("info", `${release.version} is already running`);
        return;
      }
      await stopComponent(rt, "app", log);
      await stopComponent(rt, "worker", log);
      if (await portInUse(rt.port)) throw new DriverError("port_in_use", `Port ${rt.port} is still in use after stopping the old version.`);
      const a = await startComponent(rt, release, "app");
      const w = await startComponent(rt, release, "worker");
      log("info", `Started app (pid ${a.pid}) and worker (pid ${w.pid}) of ${release.version}`);
      // A process that dies at once (bad config, missing key) is a failed start, not a slow one.
      await sleep(1500);
      for (const [c, rec] of [["app", a], ["worker", w]] as const) {
        if (!isOurs(rec)) {
          const out = await tail(logFile(rt, c), 10);
          throw new DriverError("container_start_failed", `The ${c} of ${release.version} exited right after starting.\n${out}`);
        }
      }
    },

    async stop(rt, log) {
      await stopComponent(rt, "app", log);
      await stopComponent(rt, "worker", log);
    },

    async status(rt): Promise<RuntimeStatus> {
      const one = (c: Component) => {
        const rec = readPid(rt, c);
        const running = isOurs(rec);
        return { running, version: running ? (rec?.version ?? null) : null };
      };
      return { app: one("app"), worker: one("worker") };
    },

    async logs(rt, component, lines) {
      return tail(logFile(rt, component), lines);
    },
  };
}
