// Turns reference-platform bundles (examples/platform/build.mjs --out DIR) into images in a
// registry, the way a real release pipeline would: build, tag, push, and report the registry's
// manifest digest, which is what a release manifest promises and the docker driver verifies.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import type Docker from "dockerode";
import { readProgress } from "./podman";

export type ImageRef = { reference: string; digest: string };
export type PlatformImages = { appImage: ImageRef; workerImage: ImageRef };

const repoRoot = path.resolve(import.meta.dirname, "../..");

// Every manifest type a registry may hold; without the right Accept the registry may answer a
// converted (schema 1) manifest whose digest differs from the pushed one.
const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** The digest of `repository:tag` as the registry (plain HTTP, 127.0.0.1) serves it. */
export async function registryDigest(registry: string, repository: string, tag: string): Promise<string> {
  const res = await fetch(`http://${registry}/v2/${repository}/manifests/${encodeURIComponent(tag)}`, { method: "HEAD", headers: { Accept: MANIFEST_ACCEPT } });
  const digest = res.headers.get("docker-content-digest");
  if (!res.ok || !digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new Error(`Registry ${registry} has no manifest for ${repository}:${tag} (HTTP ${res.status}).`);
  }
  return digest;
}

function findContainerfile(bundlesDir: string, version: string, explicit?: string): string {
  const candidates = [explicit, path.join(bundlesDir, version, "Containerfile"), path.join(bundlesDir, "Containerfile"), path.join(repoRoot, "examples/platform/Containerfile")];
  const found = candidates.find((c): c is string => Boolean(c && existsSync(c)));
  if (!found) throw new Error(`No Containerfile for ${version}: looked at ${candidates.filter(Boolean).join(", ")}.`);
  return found;
}

/** A tar stream of the bundle with the Containerfile at its root (tar's own -C, no shell). */
function contextTar(bundleDir: string, containerfile: string): NodeJS.ReadableStream {
  const inBundle = path.resolve(path.dirname(containerfile)) === path.resolve(bundleDir) && path.basename(containerfile) === "Containerfile";
  const args = ["-C", bundleDir, "--numeric-owner", "--owner=0", "--group=0", "-cf", "-", "."];
  if (!inBundle) {
    if (path.basename(containerfile) !== "Containerfile") throw new Error(`The Containerfile must be named Containerfile: ${containerfile}`);
    args.push("-C", path.dirname(containerfile), "Containerfile");
  }
  const tar = spawn("tar", args, { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  tar.stderr.on("data", (d: Buffer) => (err += d.toString()));
  tar.on("exit", (code) => {
    if (code !== 0) tar.stdout.destroy(new Error(`tar of ${bundleDir} failed (${code}): ${err.trim()}`));
  });
  return tar.stdout;
}

async function push(docker: Docker, repository: string, tag: string, log: (line: string) => void): Promise<string | null> {
  const stream = await docker.getImage(repository).push({ tag });
  const events = await readProgress(stream, `Pushing ${repository}:${tag}`);
  // Docker reports {aux:{Digest}}, Podman "...: digest: sha256:... size: N"; either is a hint only.
  for (const e of events) {
    const aux = e.aux as { Digest?: string } | undefined;
    if (aux?.Digest) return aux.Digest;
    const m = /digest: (sha256:[0-9a-f]{64})/.exec(String(e.status ?? ""));
    if (m?.[1]) return m[1];
  }
  log(`push of ${repository}:${tag} reported no digest; asking the registry`);
  return null;
}

/**
 * For each version: builds DIR/<version>/ with the platform's Containerfile, tags it
 * REGISTRY/webwaka/platform:<version> and REGISTRY/webwaka/worker:<version>, pushes both and
 * returns their registry digests. The local tags are removed afterwards, so that the driver's
 * pull really goes to the registry.
 */
export async function buildPlatformImages(opts: {
  docker: Docker;
  registry: string;
  bundlesDir: string;
  versions: string[];
  log?: (line: string) => void;
  /** Defaults to DIR/<version>/Containerfile, DIR/Containerfile, then examples/platform/Containerfile. */
  containerfile?: string;
}): Promise<Record<string, PlatformImages>> {
  const { docker, registry } = opts;
  const log = opts.log ?? (() => {});
  const out: Record<string, PlatformImages> = {};
  for (const version of opts.versions) {
    if (!/^[0-9A-Za-z][0-9A-Za-z.+-]*$/.test(version)) throw new Error(`Unsafe version string: ${version}`);
    const bundleDir = path.join(opts.bundlesDir, version);
    if (!existsSync(bundleDir)) throw new Error(`No bundle at ${bundleDir}; run examples/platform/build.mjs --out ${opts.bundlesDir}`);
    const containerfile = findContainerfile(opts.bundlesDir, version, opts.containerfile);
    // Registry tags may not contain "+"; semver build metadata becomes "_" there.
    const tag = version.replace(/\+/g, "_");
    const appRepo = `${registry}/webwaka/platform`;
    const workerRepo = `${registry}/webwaka/worker`;
    const started = Date.now();

    const build = await docker.buildImage(contextTar(bundleDir, containerfile), {
      t: `${appRepo}:${tag}`,
      dockerfile: "Containerfile",
      // Host networking: a RUN step needs no bridge (none is configured for the test engine).
      networkmode: "host",
      rm: true,
      forcerm: true,
      labels: { "webwaka.version": version },
    });
    const buildEvents = await readProgress(build, `Building ${appRepo}:${tag}`);
    const lastLines = buildEvents.map((e) => (typeof e.stream === "string" ? e.stream.trim() : "")).filter(Boolean);
    const image = await docker
      .getImage(`${appRepo}:${tag}`)
      .inspect()
      .catch(() => {
        throw new Error(`Build of ${version} produced no image ${appRepo}:${tag}:\n${lastLines.slice(-10).join("\n")}`);
      });
    await docker.getImage(image.Id).tag({ repo: workerRepo, tag });

    const pushed: Record<string, ImageRef> = {};
    for (const repo of [appRepo, workerRepo]) {
      const hinted = await push(docker, repo, tag, log);
      const digest = await registryDigest(registry, repo.slice(registry.length + 1), tag);
      if (hinted && hinted !== digest) throw new Error(`Push of ${repo}:${tag} reported ${hinted} but the registry serves ${digest}`);
      pushed[repo] = { reference: `${repo}:${tag}`, digest };
    }
    for (const ref of [`${appRepo}:${tag}`, `${workerRepo}:${tag}`]) await docker.getImage(ref).remove();

    const appImage = pushed[appRepo];
    const workerImage = pushed[workerRepo];
    if (!appImage || !workerImage) throw new Error(`Push of ${version} is incomplete`);
    out[version] = { appImage, workerImage };
    log(`Built and pushed ${version} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${appImage.digest}`);
  }
  return out;
}
