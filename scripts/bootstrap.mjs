// Entry point of `npm start` and `npm test` on a fresh clone. Plain Node with no dependencies:
// it installs what is missing (npm packages always; system packages when it may), then hands
// over to the TypeScript launcher.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const mode = process.argv[2];
const log = (line) => console.log(`[bootstrap] ${line}`);

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (res.error) throw res.error;
  return res.status ?? 1;
}

function npmDepsStale() {
  const marker = path.join(root, "node_modules/.package-lock.json");
  if (!existsSync(marker)) return true;
  const lock = path.join(root, "package-lock.json");
  return existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs;
}

function ensureNpmDeps() {
  if (npmDepsStale()) {
    log("Installing npm packages (npm ci)…");
    if (run("npm", ["ci", "--no-audit", "--no-fund"]) !== 0) {
      console.error("npm ci failed; see above.");
      process.exit(1);
    }
  }
  // The client is generated from the schema: again whenever the schema is newer than it.
  const client = path.join(root, "generated/prisma/client.ts");
  const schema = path.join(root, "prisma/schema.prisma");
  if (!existsSync(client) || statSync(schema).mtimeMs > statSync(client).mtimeMs) {
    log("Generating the Prisma client…");
    if (run(process.execPath, ["scripts/prisma-generate.mjs"]) !== 0) process.exit(1);
  }
}

function isDebianRoot() {
  return process.getuid?.() === 0 && existsSync("/etc/debian_version") && spawnSync("which", ["apt-get"]).status === 0;
}

function hasCommand(name) {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

function hasPostgresServer() {
  if (existsSync("/usr/lib/postgresql")) {
    const ok = spawnSync("sh", ["-c", "ls /usr/lib/postgresql/*/bin/postgres"], { stdio: "ignore" });
    if (ok.status === 0) return true;
  }
  return false;
}

// What the test suite needs from the system: the binary it looks for, and the Debian package.
const SYSTEM_NEEDS = {
  test: [
    { what: "Chromium (browser tests)", ok: () => existsSync("/usr/bin/chromium"), pkg: "chromium" },
    { what: "PostgreSQL server", ok: hasPostgresServer, pkg: "postgresql" },
    { what: "pg_dump / pg_restore", ok: () => hasCommand("pg_dump") && hasCommand("pg_restore"), pkg: "postgresql-client" },
    // The docker driver's tests run against Podman's Docker-compatible service and a local registry.
    { what: "Podman (docker driver tests)", ok: () => hasCommand("podman"), pkg: "podman" },
    { what: "runc (Podman's runtime)", ok: () => hasCommand("runc"), pkg: "runc" },
    { what: "catatonit (init for containers)", ok: () => existsSync("/usr/libexec/podman/catatonit"), pkg: "catatonit" },
    { what: "docker-registry (local image registry)", ok: () => hasCommand("docker-registry"), pkg: "docker-registry" },
  ],
  start: [{ what: "PostgreSQL server (or set DATABASE_URL)", ok: () => Boolean(process.env.DATABASE_URL) || hasPostgresServer(), pkg: "postgresql" }],
};

function ensureSystemPackages(needs) {
  const missing = needs.filter((n) => !n.ok());
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((m) => m.pkg))];
  if (isDebianRoot()) {
    log(`Installing system packages: ${pkgs.join(" ")}`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    if (run("apt-get", ["update", "-qq"], { env }) !== 0 || run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...pkgs], { env }) !== 0) {
      console.error(`apt-get could not install ${pkgs.join(" ")}.`);
      process.exit(1);
    }
    const still = needs.filter((n) => !n.ok());
    if (still.length === 0) return;
    console.error(`Still missing after apt-get: ${still.map((s) => s.what).join(", ")}.`);
    process.exit(1);
  }
  console.error("These are needed and missing:");
  for (const m of missing) console.error(`  - ${m.what}`);
  console.error(`Install them (on Debian or Ubuntu: sudo apt-get install -y ${pkgs.join(" ")}), then run this again.`);
  process.exit(1);
}

function handOver(script) {
  const tsx = path.join(root, "node_modules/tsx/dist/cli.mjs");
  // react-server makes `server-only` modules importable from these Node scripts.
  const child = spawn(process.execPath, [tsx, "--conditions=react-server", script, ...process.argv.slice(3)], { cwd: root, stdio: "inherit" });
  // The terminal sends Ctrl-C to the whole process group; the child shuts down by itself.
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const major = Number(process.versions.node.split(".")[0]);
if (major < 20) {
  console.error(`Node.js 20 or newer is needed; this is ${process.versions.node}.`);
  process.exit(1);
}

switch (mode) {
  case "start":
    ensureSystemPackages(SYSTEM_NEEDS.start);
    ensureNpmDeps();
    handOver("scripts/start.ts");
    break;
  case "test":
    ensureSystemPackages(SYSTEM_NEEDS.test);
    ensureNpmDeps();
    handOver("scripts/test.ts");
    break;
  default:
    console.error(`usage: node scripts/bootstrap.mjs start|test (got ${JSON.stringify(mode)}); package.json: ${JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).name}`);
    process.exit(2);
}
