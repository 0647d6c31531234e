// A private Docker-compatible engine for tests: Podman's API service plus a local registry, both
// configured from files of our own under `dir`, so nothing touches the machine's Podman setup
// and nothing listens beyond 127.0.0.1. See docs/docker-driver.md for the pitfalls behind the
// settings below.
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, closeSync, constants, copyFileSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Docker from "dockerode";
import { freePort } from "./local-postgres";
import { progressEvents } from "../../lib/runtime/docker-streams";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type PodmanLog = (line: string) => void;

export type PodmanEngine = {
  socketPath: string;
  /** Options for `new Docker(...)`. */
  dockerOptions: Docker.DockerOptions;
  /** host:port of the local registry, e.g. "127.0.0.1:41234"; Podman treats it as insecure (plain HTTP). */
  registry: string;
  /** The environment the podman CLI needs to act on this engine (e.g. for `podman push`). */
  env: NodeJS.ProcessEnv;
  stop: () => Promise<void>;
};

export const NODE_BASE_IMAGE = "localhost/webwaka-node-base:20";

const INIT_PATHS = ["/usr/libexec/podman/catatonit", "/usr/bin/catatonit"];
const INSTALL_HINT = "On Debian: apt-get install -y podman runc catatonit docker-registry";

/** The executable `cmd` on PATH (searched here, no shell), or null. */
function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, cmd);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

function tailOf(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").trim().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

// TOML and YAML strings: JSON string syntax is valid in both for plain paths.
const q = (s: string) => JSON.stringify(s);

function writeConfigs(dir: string, registry: string): { env: NodeJS.ProcessEnv; registryConfig: string } {
  const p = (...parts: string[]) => path.join(dir, ...parts);
  for (const sub of ["storage", "run", "tmp", "libpod-tmp", "volumes", "networks", "registry", "logs"]) mkdirSync(p(sub), { recursive: true });

  // catatonit is what HostConfig.Init runs; Debian installs it only as a recommendation of podman.
  const initPath = INIT_PATHS.find((f) => existsSync(f));
  const containersConf = [
    "[containers]",
    // Raising limits above the host's is refused on these machines; these fit under them.
    'default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]',
    ...(initPath ? [`init_path = ${q(initPath)}`] : []),
    'log_driver = "k8s-file"',
    "",
    "[engine]",
    // crun fails on hybrid cgroups; runc and the cgroupfs manager work without systemd.
    'runtime = "runc"',
    'cgroup_manager = "cgroupfs"',
    // journald is not reachable in a container-less CI box; a file always is.
    'events_logger = "file"',
    `events_logfile_path = ${q(p("logs", "events.log"))}`,
    // Gives `podman container cleanup` (run by conmon on exit) time before the API reports the exit.
    "exit_command_delay = 5",
    // Our own lock/alive files and volumes, so two engines (or the system one) never share state.
    `tmp_dir = ${q(p("libpod-tmp"))}`,
    `volume_path = ${q(p("volumes"))}`,
    `static_dir = ${q(p("storage", "libpod"))}`,
    "",
    "[network]",
    `network_config_dir = ${q(p("networks"))}`,
    "",
  ].join("\n");
  const storageConf = ["[storage]", 'driver = "vfs"', `runroot = ${q(p("run"))}`, `graphroot = ${q(p("storage"))}`, ""].join("\n");
  const registriesConf = [
    "unqualified-search-registries = []",
    "",
    "[[registry]]",
    `location = ${q(registry)}`,
    "insecure = true",
    "",
  ].join("\n");
  const registryConfig = [
    "version: 0.1",
    "log:",
    "  level: warn",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${q(p("registry"))}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: ${q(registry)}`,
    "",
  ].join("\n");

  writeFileSync(p("containers.conf"), containersConf);
  writeFileSync(p("storage.conf"), storageConf);
  writeFileSync(p("registries.conf"), registriesConf);
  writeFileSync(p("registry.yml"), registryConfig);

  // Only the children get these; the test process's own environment stays as it was.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONTAINERS_CONF: p("containers.conf"),
    CONTAINERS_STORAGE_CONF: p("storage.conf"),
    CONTAINERS_REGISTRIES_CONF: p("registries.conf"),
    TMPDIR: p("tmp"),
  };
  return { env, registryConfig: p("registry.yml") };
}

async function waitUntil(what: string, probe: () => Promise<boolean>, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited at start (code ${child.exitCode ?? child.signalCode}). Its log (${logFile}):\n${tailOf(logFile)}`);
    }
    if (await probe().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`${what} did not answer within ${timeoutMs / 1000} s. Its log (${logFile}):\n${tailOf(logFile)}`);
}

function killAndWait(child: ChildProcess, timeoutMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * Starts `podman system service` on a socket under `dir` and `docker-registry` on a free
 * 127.0.0.1 port, and waits until both answer. stop() removes every container of this engine,
 * then stops both services. `dir` stays (vfs storage can be large; the caller removes it).
 */
export async function startPodman(opts: { dir: string; log?: PodmanLog }): Promise<PodmanEngine> {
  const log = opts.log ?? (() => {});
  // conmon is found by Podman itself in /usr/libexec/podman as well as on PATH.
  const missing = ["podman", "runc", "conmon", "docker-registry"].filter((c) => !which(c) && !(c === "conmon" && ["/usr/bin/conmon", "/usr/libexec/podman/conmon"].some((f) => existsSync(f))));
  if (missing.length) {
    throw new Error(`The docker driver tests need Podman and a local registry; missing: ${missing.join(", ")}. ${INSTALL_HINT}`);
  }
  // HostConfig.Init (used by the driver) runs catatonit; Debian installs it only as a recommendation.
  if (!INIT_PATHS.some((f) => existsSync(f))) {
    throw new Error(`Podman's init binary (catatonit) is missing: the driver starts containers with Init. ${INSTALL_HINT}`);
  }
  const dir = path.resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  const socketPath = path.join(dir, "podman.sock");
  // conmon's attach sockets live under the run root; unix socket paths are capped at 107 bytes.
  if (socketPath.length > 90) throw new Error(`Podman directory path too long for unix sockets (${dir}); use a shorter one.`);
  rmSync(socketPath, { force: true });

  const port = await freePort();
  const registry = `127.0.0.1:${port}`;
  const { env, registryConfig } = writeConfigs(dir, registry);

  const podmanLog = path.join(dir, "logs", "podman.log");
  const registryLog = path.join(dir, "logs", "registry.log");
  const spawnLogged = (cmd: string, args: string[], logFile: string): ChildProcess => {
    const fd = openSync(logFile, "a");
    try {
      return spawn(cmd, args, { env, cwd: dir, stdio: ["ignore", fd, fd] });
    } finally {
      closeSync(fd);
    }
  };

  const podman = spawnLogged("podman", ["--log-level=warn", "system", "service", "--time=0", `unix://${socketPath}`], podmanLog);
  const reg = spawnLogged("docker-registry", ["serve", registryConfig], registryLog);
  const docker = new Docker({ socketPath });

  let stopped = false;
  // A crashed test run must not leave containers behind on the host network: a last, synchronous
  // sweep with the CLI on the same configuration.
  const onExit = () => {
    if (stopped) return;
    spawnSync("podman", ["rm", "--all", "--force", "--time", "0"], { env, stdio: "ignore", timeout: 20_000 });
    podman.kill("SIGKILL");
    reg.kill("SIGKILL");
  };
  process.once("exit", onExit);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", onExit);
    try {
      const all = await docker.listContainers({ all: true });
      for (const c of all) await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {});
    } catch {
      // the service is already gone: sweep with the CLI instead
      spawnSync("podman", ["rm", "--all", "--force", "--time", "0"], { env, stdio: "ignore", timeout: 30_000 });
    }
    await Promise.all([killAndWait(podman), killAndWait(reg)]);
    log("Podman engine and registry stopped");
  };

  try {
    await waitUntil(
      "podman system service",
      async () => {
        if (!existsSync(socketPath)) return false;
        const v = await docker.version();
        return Boolean(v.Version);
      },
      podman,
      podmanLog,
      30_000,
    );
    await waitUntil("docker-registry", async () => (await fetch(`http://${registry}/v2/`)).status === 200, reg, registryLog, 20_000);
  } catch (e) {
    await stop();
    throw new Error(`The Podman test engine did not start. ${(e as Error).message}\nCheck: ${INSTALL_HINT}; runc must work (cgroupfs).`);
  }
  const version = await docker.version();
  log(`Podman ${version.Version} on unix://${socketPath}; registry on ${registry}`);

  return { socketPath, dockerOptions: { socketPath }, registry, env, stop };
}

/** Reads a JSON-lines progress stream (build, pull, push, import) to its end; throws on an error event. */
export async function readProgress(stream: NodeJS.ReadableStream, what: string): Promise<Record<string, unknown>[]> {
  const events = await progressEvents(stream);
  // Engines answer 200 and report failures in-band (Podman's compat pull/push/build do).
  const failed = events.find((e) => e.error || e.errorDetail);
  if (failed) {
    const detail = failed.errorDetail as { message?: string } | undefined;
    throw new Error(`${what} failed: ${String(failed.error ?? detail?.message ?? JSON.stringify(failed))}`);
  }
  return events;
}

/** The libraries `ldd` lists for a binary, with the dynamic loader, as absolute paths. */
async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await run("ldd", [binary]);
  const libs = new Set<string>();
  for (const line of stdout.split("\n")) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1]) libs.add(m[1]);
  }
  return [...libs];
}

/**
 * A minimal rootfs tarball with this machine's node binary and its libraries, cached in the OS
 * temp folder by node binary and version, so later runs skip the copy and tar.
 */
async function nodeRootfsTarball(log: PodmanLog): Promise<string> {
  const node = realpathSync(process.execPath);
  const st = statSync(node);
  const key = createHash("sha256").update(`${node}|${st.size}|${st.mtimeMs}|${process.version}|v1`).digest("hex").slice(0, 16);
  const cacheDir = path.join(tmpdir(), "webwaka-node-base");
  const tarball = path.join(cacheDir, `rootfs-${key}.tar`);
  if (existsSync(tarball)) return tarball;

  log(`Building a Node ${process.version} rootfs from ${node}`);
  mkdirSync(cacheDir, { recursive: true });
  const root = path.join(cacheDir, `rootfs-${key}-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  const put = (src: string, dest: string) => {
    const target = path.join(root, dest);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(realpathSync(src), target); // follow symlinks (keeps the mode): the image has no /usr merge
  };
  put(node, "usr/local/bin/node");
  for (const lib of await sharedLibraries(node)) put(lib, lib.slice(1));
  for (const d of ["tmp", "etc", "app", "config", "root", "proc", "sys", "dev"]) mkdirSync(path.join(root, d), { recursive: true });
  writeFileSync(path.join(root, "etc/passwd"), "root:x:0:0:root:/root:/usr/local/bin/node\nnode:x:1000:1000:node:/app:/usr/local/bin/node\nnobody:x:65534:65534:nobody:/nonexistent:/usr/local/bin/node\n");
  writeFileSync(path.join(root, "etc/group"), "root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n");
  writeFileSync(path.join(root, "etc/nsswitch.conf"), "passwd: files\ngroup: files\nhosts: files dns\n");
  const tmpTar = `${tarball}.${process.pid}.partial`;
  // chmod tmp via tar's --mode would touch every file; set it on the folder itself instead.
  await run("chmod", ["1777", path.join(root, "tmp")]);
  await run("tar", ["-C", root, "--numeric-owner", "--owner=0", "--group=0", "-cf", tmpTar, "."]);
  renameSync(tmpTar, tarball);
  rmSync(root, { recursive: true, force: true });
  return tarball;
}

/**
 * Creates NODE_BASE_IMAGE (`localhost/webwaka-node-base:20`) if the engine lacks it: a rootfs
 * with the host's node binary, imported through the API. The platform's Containerfile builds
 * FROM it, so no network is needed.
 */
export async function ensureNodeBaseImage(docker: Docker, log: PodmanLog = () => {}): Promise<string> {
  try {
    await docker.getImage(NODE_BASE_IMAGE).inspect();
    return NODE_BASE_IMAGE;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) throw e;
  }
  const tarball = await nodeRootfsTarball(log);
  const started = Date.now();
  const stream = await docker.importImage(createReadStream(tarball), {
    repo: "localhost/webwaka-node-base",
    tag: "20",
    changes: ["ENV PATH=/usr/local/bin:/usr/bin:/bin", "WORKDIR /app", 'CMD ["node"]'],
  });
  const events = await readProgress(stream, `Importing ${NODE_BASE_IMAGE}`);
  // Podman's compat import ignores `tag` (it tags :latest), so tag the new image by id ourselves.
  const id = events.map((e) => e.id ?? e.status).find((v): v is string => typeof v === "string" && /^sha256:[0-9a-f]{64}$/.test(v));
  if (!id) throw new Error(`Importing ${NODE_BASE_IMAGE}: the engine reported no image id (${JSON.stringify(events).slice(0, 300)})`);
  await docker.getImage(id).tag({ repo: "localhost/webwaka-node-base", tag: "20" });
  await docker.getImage("localhost/webwaka-node-base:latest").remove({ noprune: true }).catch(() => {});
  await docker.getImage(NODE_BASE_IMAGE).inspect(); // the tag must resolve now
  log(`Imported ${NODE_BASE_IMAGE} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return NODE_BASE_IMAGE;
}
