// The docker driver: runs an instance's app and worker as containers of the release's images on
// a Docker Engine API (Docker, or Podman's compatible service) through dockerode. Images are
// verified against the digests the release manifest promises before anything runs from them.
// How it works and the engine quirks it copes with: docs/docker-driver.md.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import Docker from "dockerode";
import { demultiplex, eventError, progressEvents, readLogs, tailLines } from "@/lib/runtime/docker-streams";
import { DriverError, newerThan, type DockerEndpoint, type InstanceRuntime, type ReleaseArtifacts, type RuntimeDriver, type RuntimeStatus, type StepLog } from "@/lib/runtime/types";

type Component = "app" | "worker";
type ImageSpec = { reference: string; digest: string };

export type DockerDriverOptions = {
  /** How long a container must stay up after start to count as started (ms). */
  startGraceMs?: number;
  /** Seconds a container gets between SIGTERM and SIGKILL on stop. */
  stopTimeoutSeconds?: number;
  /** Upper bound for one migration container (ms). */
  migrationTimeoutMs?: number;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DIGEST = /^sha256:[0-9a-f]{64}$/;

// One client per endpoint for the whole process: dockerode keeps an HTTP agent per client, and
// runs for many instances on one host should share it.
const clients = new Map<string, Docker>();

function endpointKey(ep: DockerEndpoint): string {
  if (ep.type === "socket") return `socket:${ep.socketPath}`;
  const tls = createHash("sha256").update(`${ep.ca ?? ""}\0${ep.cert ?? ""}\0${ep.key ?? ""}`).digest("hex");
  return `tcp:${ep.host}:${ep.port}:${tls}`;
}

export function dockerClient(ep: DockerEndpoint): Docker {
  const key = endpointKey(ep);
  let client = clients.get(key);
  if (!client) {
    client =
      ep.type === "socket"
        ? new Docker({ socketPath: ep.socketPath })
        : new Docker({ host: ep.host, port: ep.port, protocol: ep.ca || ep.cert ? "https" : "http", ca: ep.ca, cert: ep.cert, key: ep.key });
    clients.set(key, client);
  }
  return client;
}

function clientFor(rt: InstanceRuntime): Docker {
  if (!rt.docker) throw new DriverError("unreachable", `Instance ${rt.instanceId} has no Docker endpoint configured.`);
  return dockerClient(rt.docker);
}

function describeEndpoint(ep: DockerEndpoint | undefined): string {
  if (!ep) return "(none)";
  return ep.type === "socket" ? `unix://${ep.socketPath}` : `${ep.ca || ep.cert ? "https" : "http"}://${ep.host}:${ep.port}`;
}

type EngineError = Error & { statusCode?: number; code?: string; json?: { message?: string } | null };

const isNotFound = (e: unknown) => (e as EngineError)?.statusCode === 404;

/** Connection failures become `unreachable`; everything else keeps its own code or gets `fallback`. */
function asDriverError(e: unknown, fallback: string, what: string, rt: InstanceRuntime): DriverError {
  if (e instanceof DriverError) return e;
  const err = e as EngineError;
  if (err?.code && ["ECONNREFUSED", "ENOENT", "EACCES", "ETIMEDOUT", "EHOSTUNREACH", "ECONNRESET"].includes(err.code)) {
    return new DriverError("unreachable", `The Docker engine at ${describeEndpoint(rt.docker)} does not answer (${err.code}) while ${what}.`);
  }
  const detail = err?.json?.message ?? err?.message ?? String(e);
  return new DriverError(fallback, `${what}: ${detail}`);
}

const containerName = (rt: InstanceRuntime, c: Component) => `webwaka-${c}-${rt.instanceId}`;

function imagesOf(release: ReleaseArtifacts): { app: ImageSpec; worker: ImageSpec } {
  const { appImage, workerImage } = release;
  if (!appImage || !workerImage) {
    throw new DriverError("image_pull_failed", `Release ${release.version} names no container images (appImage/workerImage); it cannot run on a docker host.`);
  }
  for (const img of [appImage, workerImage]) {
    if (!DIGEST.test(img.digest)) throw new DriverError("digest_mismatch", `Release ${release.version} promises an invalid digest for ${img.reference}: ${JSON.stringify(img.digest)}`);
  }
  return { app: appImage, worker: workerImage };
}

/**
 * `repo@sha256:...` for a verified image: containers are created from exactly the content that
 * was checked, even if the tag moves between the check and the create.
 */
export function pinnedReference(img: ImageSpec): string {
  let repo = img.reference;
  const at = repo.indexOf("@");
  if (at >= 0) repo = repo.slice(0, at);
  const colon = repo.lastIndexOf(":");
  if (colon > repo.lastIndexOf("/")) repo = repo.slice(0, colon);
  return `${repo}@${img.digest}`;
}

/** The digests the engine knows for a local image ("repo@sha256:..."), or null when it is absent. */
async function localDigests(docker: Docker, reference: string): Promise<string[] | null> {
  try {
    const info = await docker.getImage(reference).inspect();
    return (info.RepoDigests ?? []).map((d) => d.slice(d.lastIndexOf("@") + 1));
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

async function pullOne(docker: Docker, rt: InstanceRuntime, img: ImageSpec, log: StepLog): Promise<void> {
  log("info", `Pulling ${img.reference}`);
  let events: Record<string, unknown>[];
  try {
    events = await progressEvents(await docker.pull(img.reference));
  } catch (e) {
    throw asDriverError(e, "image_pull_failed", `pulling ${img.reference}`, rt);
  }
  // A failed pull still answers 200: the failure is an event in the stream.
  const failure = eventError(events);
  if (failure) throw new DriverError("image_pull_failed", `Pulling ${img.reference} failed: ${failure}`);
}

/** Throws digest_mismatch unless the local image behind `reference` carries the promised digest. */
async function verifyDigest(docker: Docker, rt: InstanceRuntime, img: ImageSpec): Promise<void> {
  let digests: string[] | null;
  try {
    digests = await localDigests(docker, img.reference);
  } catch (e) {
    throw asDriverError(e, "image_pull_failed", `inspecting ${img.reference}`, rt);
  }
  if (digests === null) throw new DriverError("image_pull_failed", `${img.reference} is not present after the pull.`);
  if (!digests.includes(img.digest)) {
    throw new DriverError("digest_mismatch", `${img.reference} has digest ${[...new Set(digests)].join(", ") || "(none)"}, but the release promises ${img.digest}.`);
  }
}

/** Present and verified, pulling when needed: migrate and deploy may run on a resumed run without a pull. */
async function ensureImage(docker: Docker, rt: InstanceRuntime, img: ImageSpec, log: StepLog): Promise<void> {
  let digests: string[] | null;
  try {
    digests = await localDigests(docker, img.reference);
  } catch (e) {
    throw asDriverError(e, "image_pull_failed", `inspecting ${img.reference}`, rt);
  }
  if (digests?.includes(img.digest)) return;
  await pullOne(docker, rt, img, log);
  await verifyDigest(docker, rt, img);
}

const EPOCH_LABEL = "webwaka.lease-epoch";

/** A container a newer execution started is not ours to touch (fencing): refuse, loudly. */
function refuseNewer(rt: InstanceRuntime, info: Docker.ContainerInspectInfo): void {
  const stamped = info.Config.Labels?.[EPOCH_LABEL];
  if (newerThan(stamped, rt.fence)) throw new DriverError("lease_lost", `${info.Name.replace(/^\//, "")} was started by a newer execution (epoch ${stamped}); leaving it alone.`);
}

/** Stops and removes a container by name; absent is fine (idempotent). */
async function removeContainer(docker: Docker, rt: InstanceRuntime, name: string, stopTimeout: number, log: StepLog): Promise<void> {
  const c = docker.getContainer(name);
  try {
    const info = await c.inspect();
    refuseNewer(rt, info);
    await rt.fence?.check(`replace ${name}`);
    if (info.State.Running) {
      log("info", `Stopping ${name}`);
      await c.stop({ t: stopTimeout }).catch((e: EngineError) => {
        if (e.statusCode !== 304 && e.statusCode !== 404) throw e;
      });
    }
    await c.remove({ force: true, v: true });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

export function createDockerDriver(options: DockerDriverOptions = {}): RuntimeDriver {
  const startGraceMs = options.startGraceMs ?? 2000;
  const stopTimeout = options.stopTimeoutSeconds ?? 10;
  const migrationTimeoutMs = options.migrationTimeoutMs ?? 15 * 60_000;

  function containerSpec(rt: InstanceRuntime, release: ReleaseArtifacts, c: Component, img: ImageSpec): Docker.ContainerCreateOptions {
    // The contract's environment: the worker gets no port and no admin token.
    const env: Record<string, string> =
      c === "app"
        ? { PORT: String(rt.port), HOST: "127.0.0.1", DATABASE_URL: rt.databaseUrl, CONFIG_FILE: "/config/config.json", ADMIN_TOKEN: rt.adminToken, INSTANCE_ID: rt.instanceId }
        : { DATABASE_URL: rt.databaseUrl, CONFIG_FILE: "/config/config.json", INSTANCE_ID: rt.instanceId };
    return {
      name: containerName(rt, c),
      Image: pinnedReference(img),
      Cmd: ["node", c === "app" ? "app.js" : "worker.js"],
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      Labels: { "webwaka.instance": rt.instanceId, "webwaka.version": release.version, "webwaka.component": c, "webwaka.image-digest": img.digest, ...(rt.fence ? { [EPOCH_LABEL]: rt.fence.epoch.toString() } : {}) },
      HostConfig: {
        // The app binds 127.0.0.1:PORT on the host itself, exactly as with the process driver.
        NetworkMode: "host",
        // A PID 1 that ignores SIGTERM would make every stop wait out its timeout.
        Init: true,
        Binds: [`${path.resolve(rt.configFile)}:/config/config.json:ro`],
        RestartPolicy: { Name: "unless-stopped" },
      },
    };
  }

  /** Watches a started container for the grace period: an exit or a restart means it failed. */
  /**
   * Stops a container and makes sure it stays stopped. A container that crashed on its own may be
   * between two restarts of its `unless-stopped` policy: a stop then finds nothing running (304)
   * and the engine starts it again a moment later. So stop, look, and stop again until it is down.
   */
  async function stopSettled(docker: Docker, name: string): Promise<void> {
    const c = docker.getContainer(name);
    // Generous: the loop ends as soon as it is down, and a loaded engine restarts slowly.
    const deadline = Date.now() + Math.max(30_000, startGraceMs + stopTimeout * 1000);
    for (;;) {
      await c.stop({ t: stopTimeout }).catch(() => {});
      await sleep(300);
      const info = await c.inspect().catch(() => null);
      if (!info || (!info.State.Running && !info.State.Restarting) || Date.now() >= deadline) return;
    }
  }

  async function watchStart(docker: Docker, name: string): Promise<string | null> {
    const deadline = Date.now() + startGraceMs;
    const c = docker.getContainer(name);
    for (;;) {
      const info = await c.inspect();
      const restarts = (info as { RestartCount?: number }).RestartCount ?? 0;
      if (!info.State.Running || info.State.Restarting || restarts > 0) {
        return `${name} exited right after start (${info.State.Status}, exit code ${info.State.ExitCode}${restarts ? `, ${restarts} restarts` : ""})`;
      }
      if (Date.now() >= deadline) return null;
      await sleep(250);
    }
  }

  return {
    kind: "docker",

    async pull(rt, release, log) {
      const docker = clientFor(rt);
      const images = imagesOf(release);
      const verified: string[] = [];
      for (const [c, img] of Object.entries(images)) {
        await pullOne(docker, rt, img, log);
        await verifyDigest(docker, rt, img);
        log("info", `${c} image ${img.reference} verified (${img.digest})`);
        verified.push(img.digest);
      }
      // One digest when app and worker share an image (the reference platform's case).
      return { verified: [...new Set(verified)].join(",") };
    },

    async migrate(rt, release, action, log) {
      const docker = clientFor(rt);
      const { app } = imagesOf(release);
      if (action.direction === "down" && !/^\d{4}$/.test(action.to)) throw new DriverError("migration_failed", `Invalid target schema version: ${JSON.stringify(action.to)}`);
      const args = action.direction === "up" ? ["up"] : ["down", "--to", action.to];
      const label = `node migrate.js ${args.join(" ")}`;
      try {
        await ensureImage(docker, rt, app, log);
        // A crashed earlier attempt may have left its one-off container behind.
        await rt.fence?.check("run migrations");
        const leftovers = await docker.listContainers({ all: true, filters: { label: [`webwaka.instance=${rt.instanceId}`, "webwaka.component=migrate"] } });
        for (const l of leftovers) await docker.getContainer(l.Id).remove({ force: true, v: true }).catch(() => {});

        const name = `webwaka-migrate-${rt.instanceId}-${Date.now().toString(36)}`;
        log("info", `Running ${label} in a one-off container of ${app.reference}`);
        const container = await docker.createContainer({
          name,
          Image: pinnedReference(app),
          Cmd: ["node", "migrate.js", ...args],
          Env: [`DATABASE_URL=${rt.databaseUrl}`],
          Labels: { "webwaka.instance": rt.instanceId, "webwaka.version": release.version, "webwaka.component": "migrate" },
          HostConfig: { NetworkMode: "host", Init: true },
        });
        try {
          await container.start();
          let timer: NodeJS.Timeout | undefined;
          const timedOut = new Promise<"timeout">((resolve) => {
            timer = setTimeout(() => resolve("timeout"), migrationTimeoutMs);
          });
          const result = await Promise.race([container.wait() as Promise<{ StatusCode: number }>, timedOut]).finally(() => clearTimeout(timer));
          if (result === "timeout") await container.kill().catch(() => {});
          const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
          const output = demultiplex(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))).combined;
          for (const line of output.split("\n").filter((l) => l.trim())) log("info", `migrate: ${line}`);
          if (result === "timeout") throw new DriverError("migration_failed", `${label} did not finish within ${migrationTimeoutMs / 1000} s:\n${tailLines(output, 20)}`);
          if (result.StatusCode !== 0) throw new DriverError("migration_failed", `${label} exited with code ${result.StatusCode}:\n${tailLines(output, 20)}`);
        } finally {
          await container.remove({ force: true, v: true }).catch(() => {});
        }
        log("info", `${label} finished`);
      } catch (e) {
        throw asDriverError(e, "migration_failed", label, rt);
      }
    },

    async deploy(rt, release, log) {
      const docker = clientFor(rt);
      const images = imagesOf(release);
      if (!existsSync(rt.configFile)) throw new DriverError("container_start_failed", `The instance's config file ${rt.configFile} does not exist.`);
      try {
        await ensureImage(docker, rt, images.app, log);
        await ensureImage(docker, rt, images.worker, log);
        // Replace, never reuse: a container from an earlier attempt may carry an old config or image.
        await Promise.all((["app", "worker"] as const).map((c) => removeContainer(docker, rt, containerName(rt, c), stopTimeout, log)));
        for (const c of ["app", "worker"] as const) {
          await rt.fence?.check(`start ${containerName(rt, c)}`);
          const container = await docker.createContainer(containerSpec(rt, release, c, images[c]));
          await container.start();
          log("info", `Started ${containerName(rt, c)} (${release.version})`);
        }
        for (const c of ["app", "worker"] as const) {
          const failure = await watchStart(docker, containerName(rt, c));
          if (failure) {
            const logs = await readLogs(docker.getContainer(containerName(rt, c)), 30).catch(() => "");
            // Stop the restart loop and the half of the release that did start (no new worker
            // against an app that is not there), but keep both containers so their logs stay readable.
            await Promise.all((["app", "worker"] as const).map((other) => stopSettled(docker, containerName(rt, other))));
            throw new DriverError("container_start_failed", `${failure}:\n${logs}`);
          }
        }
        log("info", `${release.version} is running as ${containerName(rt, "app")} and ${containerName(rt, "worker")}`);
      } catch (e) {
        throw asDriverError(e, "container_start_failed", `deploying ${release.version}`, rt);
      }
    },

    async stop(rt, log) {
      const docker = clientFor(rt);
      // Stopped, not removed: the containers keep their logs until the next deploy replaces them.
      const stopOne = async (c: Component) => {
        const name = containerName(rt, c);
        try {
          const container = docker.getContainer(name);
          const info = await container.inspect();
          if (!info.State.Running && !info.State.Restarting) return;
          refuseNewer(rt, info);
          await rt.fence?.check(`stop ${name}`);
          log("info", `Stopping ${name}`);
          await container.stop({ t: stopTimeout }).catch((e: EngineError) => {
            if (e.statusCode !== 304) throw e;
          });
        } catch (e) {
          if (isNotFound(e)) return;
          throw asDriverError(e, "unreachable", `stopping ${name}`, rt);
        }
      };
      await Promise.all([stopOne("app"), stopOne("worker")]);
    },

    async status(rt): Promise<RuntimeStatus> {
      const docker = clientFor(rt);
      const one = async (c: Component) => {
        try {
          const info = await docker.getContainer(containerName(rt, c)).inspect();
          const version = info.Config.Labels?.["webwaka.version"] ?? null;
          const running = info.State.Running && !info.State.Restarting;
          // Like the process driver: a version only for what actually runs.
          return { running, version: running ? version : null, detail: `${info.State.Status}${running ? "" : ` (exit code ${info.State.ExitCode})`}, version ${version ?? "unknown"}` };
        } catch (e) {
          if (isNotFound(e)) return { running: false, version: null, detail: "no container" };
          throw asDriverError(e, "unreachable", `inspecting ${containerName(rt, c)}`, rt);
        }
      };
      return { app: await one("app"), worker: await one("worker") };
    },

    async logs(rt, component, lines) {
      const docker = clientFor(rt);
      try {
        return await readLogs(docker.getContainer(containerName(rt, component)), Math.max(1, Math.floor(lines)));
      } catch (e) {
        if (isNotFound(e)) return "";
        throw asDriverError(e, "unreachable", `reading the logs of ${containerName(rt, component)}`, rt);
      }
    },
  };
}
