// `npm start` as an operator lives with it: start, upgrade, Ctrl-C, start again, upgrade again.
// A real console (scripts/start.ts) in a data folder of its own, with its own private PostgreSQL
// and demo fleet, none of the suite's environment, and plain TCP listeners standing in for
// "another program took the port". Also: a worker killed mid-run is restarted and the run ends.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { promisify } from "node:util";
import path from "node:path";
import type { Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { clusterHome, freePort } from "@/scripts/lib/local-postgres";
import { waitUntil } from "@/test/support/wait";
import { callApi, type ApiAnswer } from "@/test/support/env";
import { FULL_CHECKLIST } from "@/test/support/instances";
import { answers200, cleanUpConsole, closeServer, consoleEnv, launchConsole, squatPort, type ConsoleProcess } from "@/test/support/console-process";

// Each start migrates, starts a fleet and `next start`; each upgrade runs eleven real steps.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

const root = path.resolve(import.meta.dirname, "../..");
const dataDir = path.join(root, ".test-data", `restart-${process.pid}`);
const READY = /The console is at (\S+)/;
const run = promisify(execFile);

let port = 0;
let baseUrl = "";
let token = "";
let current: ConsoleProcess | undefined;
let db: PrismaClient | undefined;
const squatters: Server[] = [];

type InstanceAnswer = { id: string; name: string; url: string; version: string; status: string; activeUpgradeId: string | null; attention: { reason: string } | null };

/** The port the console's PostgreSQL listens on now: line 4 of its postmaster.pid. */
function runningPgPort(): number {
  return Number(readFileSync(path.join(clusterHome(path.join(dataDir, "postgres")), "pgdata", "postmaster.pid"), "utf8").split("\n")[3]);
}

/** The port the console keeps for it between starts. */
function storedPgPort(): number {
  return Number(readFileSync(path.join(dataDir, "postgres", "port"), "utf8").trim());
}

/** The console's own database, as its data folder describes it. */
function consoleDb(): PrismaClient {
  const password = readFileSync(path.join(dataDir, "postgres", "pg-password"), "utf8").trim();
  db ??= new PrismaClient({ adapter: new PrismaPg({ connectionString: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${runningPgPort()}/upgrade_console` }) });
  return db;
}

async function start(): Promise<ConsoleProcess> {
  current = launchConsole(consoleEnv({ CONSOLE_DATA_DIR: dataDir, PORT: String(port), DEMO_PASSWORD: "restart-demo-password", RUN_LEASE_SECONDS: "6" }));
  const line = await current.waitForLine(READY, 180_000);
  baseUrl = READY.exec(line)?.[1] ?? "";
  expect(await answers200(`${baseUrl}/health/status`, 60_000), current.output().slice(-2000)).toBe(true);
  return current;
}

/** Ctrl-C, and the console is gone with everything it started. */
async function stop(): Promise<void> {
  await db?.$disconnect();
  db = undefined;
  expect(await current?.interrupt()).toBe(0);
}

function api(method: string, p: string, body?: unknown): Promise<ApiAnswer> {
  return callApi(baseUrl, { authorization: `Bearer ${token}` }, method, p, body);
}

async function instances(): Promise<Record<string, InstanceAnswer>> {
  const res = await api("GET", "/api/superadmin/instances");
  expect(res.status, res.text).toBe(200);
  return Object.fromEntries((res.json as { instances: InstanceAnswer[] }).instances.map((i) => [i.name, i]));
}

async function healthy(i: InstanceAnswer): Promise<boolean> {
  return answers200(`${i.url}/health/status`, 10_000);
}

async function upgrade(i: InstanceAnswer, targetVersion: string): Promise<string> {
  const res = await api("POST", `/api/superadmin/instances/${i.id}/upgrades`, { targetVersion, checklist: FULL_CHECKLIST, rollbackPlan: "Runbook rollback." });
  expect(res.status, res.text).toBe(201);
  return (res.json as { upgrade: { id: string } }).upgrade.id;
}

async function waitForStatus(runId: string, status: string, timeoutMs = 150_000): Promise<void> {
  await waitUntil(
    `run ${runId} to be ${status}`,
    async () => {
      const run = await consoleDb().upgradeRun.findUniqueOrThrow({ where: { id: runId }, include: { steps: { orderBy: { position: "asc" } } } });
      if (["failed", "rolled_back", "cancelled", "rejected"].includes(run.status) && run.status !== status) {
        throw new Error(`Run ${runId} ended ${run.status}: ${run.error}\n${run.steps.map((s) => `${s.key}=${s.status} ${s.error ?? ""}`).join("\n")}\n${current?.output().slice(-3000)}`);
      }
      return run.status === status;
    },
    timeoutMs,
    250,
  );
}

/** A demo instance's monitoring window is ten minutes: end it now, as if it had passed. */
async function finishMonitoring(runId: string): Promise<void> {
  await consoleDb().upgradeRun.update({ where: { id: runId }, data: { monitoringUntil: new Date() } });
  await waitForStatus(runId, "succeeded", 30_000);
}

beforeAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  port = await freePort();
});

afterAll(async () => {
  await db?.$disconnect().catch(() => undefined);
  for (const s of squatters) await closeServer(s);
  if (current) await current.interrupt(60_000).catch(() => undefined);
  cleanUpConsole(current, dataDir);
});

describe("npm start, Ctrl-C, npm start", () => {
  let firstRun = "";

  it("starts from nothing: its own PostgreSQL on a stored port, the demo seeded, the fleet healthy", async () => {
    await start();
    // As an operator would: `npm run token:create`, which finds the console's database through CONSOLE_DATA_DIR.
    const created = await run(process.execPath, ["--import", "tsx", "--conditions=react-server", path.join(root, "scripts/token-create.ts"), "--email", "admin@webwaka.local", "--name", "restart test"], { cwd: root, env: consoleEnv({ CONSOLE_DATA_DIR: dataDir }) });
    token = created.stdout.trim();
    expect(token).toMatch(/^wwk_/);
    const all = await instances();
    expect(Object.keys(all).sort()).toEqual(["abuja-staging", "kano-lts", "lagos-production"]);
    for (const i of Object.values(all)) expect(await healthy(i), i.name).toBe(true);
  });

  it("restarts a worker killed with SIGKILL mid-run, and the run still reaches monitoring", async () => {
    const abuja = (await instances())["abuja-staging"] as InstanceAnswer;
    firstRun = await upgrade(abuja, "1.1.0");
    const owner = await waitUntil(
      "the run to be leased",
      async () => (await consoleDb().upgradeRun.findUniqueOrThrow({ where: { id: firstRun } })).leaseOwner,
      60_000,
      100,
    );
    // host:pid:random#n, the worker process itself.
    const pid = Number(owner.split(":")[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");
    await current?.waitForLine(new RegExp(`The worker \\(pid ${pid}\\) was killed by SIGKILL; restarting it`), 10_000);
    await waitForStatus(firstRun, "monitoring");
    const after = (await instances())["abuja-staging"] as InstanceAnswer;
    expect(after.version).toBe("1.1.0");
    expect(await healthy(after)).toBe(true);
  });

  it("restarts a web server killed with SIGKILL", async () => {
    const children = readFileSync(`/proc/${current?.child.pid}/task/${current?.child.pid}/children`, "utf8").trim().split(/\s+/).map(Number);
    const web = children.find((pid) => /web-server\.mjs/.test(readFileSync(`/proc/${pid}/cmdline`, "utf8")));
    expect(web, "the console's web server process").toBeDefined();
    process.kill(web ?? 0, "SIGKILL");
    await current?.waitForLine(new RegExp(`The web server \\(pid ${web}\\) was killed by SIGKILL; restarting it`), 10_000);
    expect(await answers200(`${baseUrl}/health/status`, 60_000)).toBe(true);
    expect((await api("GET", "/api/superadmin/instances")).status).toBe(200);
  });

  it("after Ctrl-C and a start with one instance's port taken: the console starts, that instance is failed with the reason, the rest run", async () => {
    const before = await instances();
    const pgPortBefore = runningPgPort();
    await stop();
    // Ctrl-C stopped the fleet: its ports are free again, and one now belongs to someone else.
    const lagos = before["lagos-production"] as InstanceAnswer;
    squatters.push(await squatPort(Number(new URL(lagos.url).port)));
    await start();

    // The others run and answer healthy, the one monitoring since before Ctrl-C included: their
    // stored database URLs still name the private PostgreSQL's port.
    const all = await instances();
    for (const name of ["abuja-staging", "kano-lts"]) {
      const i = all[name] as InstanceAnswer;
      expect(await healthy(i), name).toBe(true);
      expect(i.status, name).not.toBe("failed");
    }
    expect(runningPgPort(), "the private PostgreSQL keeps its port").toBe(pgPortBefore);
    expect(storedPgPort()).toBe(pgPortBefore);
    expect(current?.output()).not.toMatch(/moves to|repointed/);

    const res = await api("GET", `/api/superadmin/instances/${lagos.id}`);
    expect(res.status, res.text).toBe(200);
    const failed = res.json as InstanceAnswer;
    expect(failed.status).toBe("failed");
    expect(failed.attention?.reason).toMatch(/could not start this instance.*[Pp]ort/);

    // The run that was monitoring when the console stopped goes on, and the next upgrade works.
    await finishMonitoring(firstRun);
    const second = await upgrade(all["abuja-staging"] as InstanceAnswer, "1.2.0");
    await waitForStatus(second, "monitoring");
    firstRun = second;
  });

  it("after Ctrl-C and a start with the stored PostgreSQL port taken: the cluster moves, the instances are repointed, and upgrades still pass", async () => {
    await stop();
    for (const s of squatters.splice(0)) await closeServer(s);
    const oldPort = storedPgPort();
    squatters.push(await squatPort(oldPort));
    await start();
    expect(runningPgPort()).not.toBe(oldPort);
    expect(storedPgPort()).toBe(runningPgPort());
    expect(current?.output()).toMatch(new RegExp(`Port ${oldPort} is taken by another program; PostgreSQL moves to ${runningPgPort()}`));
    expect(current?.output()).toMatch(/repointed .*abuja-staging/);

    const all = await instances();
    for (const i of Object.values(all)) expect(await healthy(i), i.name).toBe(true);
    // The instance that could not start last time started now, and its warning went with it.
    expect(all["lagos-production"]).toMatchObject({ status: "active", attention: null });

    await finishMonitoring(firstRun);
    const third = await upgrade(all["abuja-staging"] as InstanceAnswer, "1.2.1");
    await waitForStatus(third, "monitoring");
    await stop();
  });
});
