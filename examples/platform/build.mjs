#!/usr/bin/env node
// Builds the reference platform's release bundles: `node build.mjs --out DIR` writes DIR/<version>/,
// DIR/<version>.tar.gz and DIR/feed.json for every release in releases.json.
// `node build.mjs --sync-feed` rewrites feed.json here (the stable releases the console seeds).
// No network: pg and its dependencies are copied from the console's own node_modules.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";

const run = promisify(execFile);
const here = import.meta.dirname;
const FAULTS = [null, "migration", "unhealthy", "errors"];
const FEED_FIELDS = ["version", "status", "breaking", "security", "critical", "releasedAt", "minUpgradeFrom", "schemaVersion", "changelog", "configRequirements"];

function loadReleases() {
  const { product, releases } = JSON.parse(readFileSync(path.join(here, "releases.json"), "utf8"));
  for (const r of releases) {
    // Versions become folder and file names: keep them to a safe alphabet.
    if (!/^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/.test(r.version)) throw new Error(`Unsafe version: ${r.version}`);
    if (!/^\d{4}$/.test(r.schemaVersion)) throw new Error(`${r.version}: schemaVersion must be four digits`);
    if (!FAULTS.includes(r.fault ?? null)) throw new Error(`${r.version}: unknown fault ${r.fault}`);
  }
  return { product, releases };
}

const feedEntry = (r) => Object.fromEntries(FEED_FIELDS.filter((k) => r[k] !== undefined).map((k) => [k, r[k]]));

/** pg and everything it needs at run time, as paths relative to the folder holding node_modules. */
function runtimeModules() {
  const pgDir = path.dirname(createRequire(import.meta.url).resolve("pg/package.json"));
  const root = path.dirname(path.dirname(pgDir)); // the folder that holds node_modules/pg
  const found = new Map();
  // Node's lookup: the nearest node_modules/<name> walking up from the requiring package.
  const resolve = (fromDir, name) => {
    for (let dir = fromDir; dir.startsWith(root); dir = path.dirname(dir)) {
      const candidate = path.join(dir, "node_modules", name);
      if (existsSync(path.join(candidate, "package.json"))) return candidate;
      if (dir === root) break;
    }
    return null;
  };
  const visit = (dir) => {
    const rel = path.relative(root, dir);
    if (found.has(rel)) return;
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    found.set(rel, `${pkg.name}@${pkg.version}`);
    for (const [name, optional] of [...Object.keys(pkg.dependencies ?? {}).map((n) => [n, false]), ...Object.keys(pkg.optionalDependencies ?? {}).map((n) => [n, true])]) {
      const dep = resolve(dir, name);
      if (dep) visit(dep);
      else if (!optional) throw new Error(`${pkg.name} needs ${name}, which is not installed in ${root}/node_modules`);
    }
  };
  visit(pgDir);
  return { root, dirs: [...found.keys()].sort() };
}

function copyModules(modules, bundle) {
  for (const rel of modules.dirs) {
    const from = path.join(modules.root, rel);
    // Nested node_modules are copied as packages of their own, only when something needs them.
    cpSync(from, path.join(bundle, rel), { recursive: true, filter: (src) => !path.relative(from, src).split(path.sep).includes("node_modules") });
  }
}

function writeBundle(r, out, modules, containerfile) {
  const dir = path.join(out, r.version);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, "migrations"), { recursive: true });
  cpSync(path.join(here, "src"), dir, { recursive: true });
  const migrations = path.join(here, "migrations");
  for (const file of readdirSync(migrations)) {
    if (!/^\d{4}_.*\.sql$/.test(file) || file.slice(0, 4) > r.schemaVersion) continue;
    // The migration-fault build ships the broken variant from migrations/faults/ instead.
    const faulty = path.join(migrations, "faults", file);
    cpSync(r.fault === "migration" && existsSync(faulty) ? faulty : path.join(migrations, file), path.join(dir, "migrations", file));
  }
  writeFileSync(path.join(dir, "release.json"), JSON.stringify({ version: r.version, schemaVersion: r.schemaVersion, fault: r.fault ?? null }, null, 2) + "\n");
  const pgVersion = JSON.parse(readFileSync(path.join(modules.root, "node_modules/pg/package.json"), "utf8")).version;
  const pkg = { name: "webwaka-platform", version: r.version, private: true, type: "module", dependencies: { pg: pgVersion } };
  writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
  writeFileSync(path.join(dir, "Containerfile"), containerfile.replace(/^ARG VERSION=.*$/m, `ARG VERSION=${r.version}`));
  copyModules(modules, dir);
  return dir;
}

/** A reproducible tarball: fixed order, times, owners and modes; gzip without name or time. */
async function tarball(out, version) {
  const args = ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner", "--format=gnu", "--mode=u+rwX,go+rX,go-w", "-cf", "-", "-C", out, version];
  const { stdout } = await run("tar", args, { encoding: "buffer", maxBuffer: 256 * 1024 * 1024 });
  const gz = gzipSync(stdout, { level: 9 });
  const file = path.join(out, `${version}.tar.gz`);
  writeFileSync(file, gz);
  return { path: `${version}.tar.gz`, sha256: createHash("sha256").update(gz).digest("hex"), sizeBytes: gz.length };
}

export async function build(out) {
  const { product, releases } = loadReleases();
  const modules = runtimeModules();
  const containerfile = readFileSync(path.join(here, "Containerfile"), "utf8");
  mkdirSync(out, { recursive: true });
  for (const r of releases) writeBundle(r, out, modules, containerfile);
  const artifacts = await Promise.all(releases.map((r) => tarball(out, r.version)));
  const feed = {
    product,
    // Artifact paths are relative to this file's folder.
    releases: releases.map((r, i) => ({ ...feedEntry(r), fault: r.fault ?? null, artifacts: { bundle: artifacts[i] } })),
  };
  writeFileSync(path.join(out, "feed.json"), JSON.stringify(feed, null, 2) + "\n");
  return feed;
}

function syncFeed() {
  const { product, releases } = loadReleases();
  const feed = { product, releases: releases.filter((r) => r.status === "stable").map(feedEntry) };
  writeFileSync(path.join(here, "feed.json"), JSON.stringify(feed, null, 2) + "\n");
  console.log(`feed.json: ${feed.releases.length} stable releases`);
}

const argv = process.argv.slice(2);
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  if (argv.includes("--sync-feed")) syncFeed();
  else {
    const i = argv.indexOf("--out");
    if (i < 0 || !argv[i + 1]) {
      console.error("usage: node build.mjs --out DIR | --sync-feed");
      process.exit(2);
    }
    const t0 = Date.now();
    const feed = await build(path.resolve(argv[i + 1]));
    for (const r of feed.releases) console.log(`${r.version.padEnd(24)} ${r.artifacts.bundle.sha256}  ${r.artifacts.bundle.sizeBytes} bytes`);
    console.log(`Built ${feed.releases.length} bundles in ${Date.now() - t0} ms`);
  }
}
