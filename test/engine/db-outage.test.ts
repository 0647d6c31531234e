// The database goes away mid-run and comes back: `pg_ctl stop -m immediate`, a pause, a start on
// the same port. A stack of its own (PostgreSQL, `next start`, the demo fleet, one worker), so the
// rest of the suite keeps its database. Nothing supervises this worker: it must ride the outage
// out by itself, and the run must end consistent. The instances' own databases live on the same
// server, so the run may legitimately fail or roll back; what it may not do is hang half-done.
import path from "node:path";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { startStack, type Stack } from "@/scripts/lib/stack";
import { startLocalPostgres, stopLocalPostgres } from "@/scripts/lib/local-postgres";
import { callApi } from "@/test/support/env";
import { waitUntil } from "@/test/support/wait";
import { startWorker, type WorkerHandle } from "@/test/support/worker";
import { FULL_CHECKLIST } from "@/test/support/instances";
import { answers200 } from "@/test/support/console-process";

vi.setConfig({ testTimeout: 240_000, hookTimeout: 300_000 });

const root = path.resolve(import.meta.dirname, "../..");
const work = path.join(root, ".test-data", `outage-${process.pid}`);
const pgDir = path.join(work, "postgres");
const VERSIONS = ["1.0.0", "1.1.0", "1.2.0", "1.2.1"];
const ENDED = ["succeeded", "failed", "rolled_back", "cancelled", "rejected"];

let stack: Stack | undefined;
let worker: WorkerHandle | undefined;
let db: PrismaClient | undefined;
const savedEnv = { ...process.env };
const streams: AbortController[] = [];

function consoleApi(method: string, p: string, body?: unknown) {
  return callApi(stack?.baseUrl ?? "", { authorization: `Bearer ${stack?.tokens.superadmin}` }, method, p, body);
}

type Received = { receivedAt: number; type: string; message?: string; data: { status?: string } };
type Watch = Received[] & { ended?: string };

/** An SSE stream of a run's events, read in the background until aborted. */
function watchEvents(runId: string): Watch {
  const got: Watch = [];
  const abort = new AbortController();
  streams.push(abort);
  void (async () => {
    const res = await fetch(`${stack?.baseUrl}/api/superadmin/upgrades/${runId}/events`, { headers: { authorization: `Bearer ${stack?.tokens.superadmin}` }, signal: abort.signal });
    const reader = res.body?.getReader();
    if (!reader) return;
    const decoder = new TextDecoder();
    let buf = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        got.ended = `ended at ${Date.now()}`;
        return;
      }
      buf += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buf.indexOf("\n\n")) >= 0) {
        const frame = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (data) got.push({ ...(JSON.parse(data) as { type: string; data: { status?: string } }), receivedAt: Date.now() });
      }
    }
  })().catch((e: unknown) => {
    got.ended = `failed at ${Date.now()}: ${String(e)}`;
  });
  return got;
}

/** Reads that may fail while the database is away: null then. */
async function readRun(runId: string) {
  return db?.upgradeRun.findUnique({ where: { id: runId }, include: { steps: { orderBy: { position: "asc" } }, instance: true } }).catch(() => null) ?? null;
}

async function outage(seconds: number): Promise<number> {
  stopLocalPostgres(pgDir, "immediate");
  await new Promise((r) => setTimeout(r, seconds * 1000));
  // Same data folder: the same stored port, as a restarted server would have.
  await startLocalPostgres({ dataDir: pgDir });
  return Date.now();
}

async function upgradeThroughOutage(seconds: number, duringSteps: string[]): Promise<void> {
  const abuja = await db?.instance.findFirstOrThrow({ where: { name: "abuja-staging" } });
  if (!abuja) throw new Error("no abuja-staging");
  const target = VERSIONS[VERSIONS.indexOf(abuja.version) + 1] ?? "";
  const res = await consoleApi("POST", `/api/superadmin/instances/${abuja.id}/upgrades`, { targetVersion: target, checklist: FULL_CHECKLIST, rollbackPlan: "Runbook rollback." });
  expect(res.status, res.text).toBe(201);
  const runId = (res.json as { upgrade: { id: string } }).upgrade.id;
  const events = watchEvents(runId);

  await waitUntil(`run ${runId} to reach one of ${duringSteps.join(", ")}`, async () => {
    const run = await readRun(runId);
    if (run && run.status !== "running") throw new Error(`The run was ${run.status} before the outage`);
    return run?.currentStepKey && duringSteps.includes(run.currentStepKey);
  }, 90_000, 100);
  const backAt = await outage(seconds);

  // Consistent within a bound: ended or monitoring, no step left running, no lease held, no backup
  // half-done, and the instance's row agreeing with the outcome.
  const run = await waitUntil(
    `run ${runId} to settle after a ${seconds} s outage`,
    async () => {
      if (worker?.child.exitCode !== null || worker.child.signalCode !== null) throw new Error(`The worker died (${worker?.child.exitCode ?? worker?.child.signalCode})`);
      const r = await readRun(runId);
      const settled = r && (ENDED.includes(r.status) || r.status === "monitoring") && !r.steps.some((s) => s.status === "running") && r.leaseOwner === null;
      return settled ? r : null;
    },
    150_000,
    500,
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n${worker?.output().slice(-4000)}`);
  });
  const detail = `${run.status}: ${run.steps.map((s) => `${s.key}=${s.status}${s.error ? ` (${s.error.split("\n")[0]})` : ""}`).join(" ")}`;
  console.log(`After a ${seconds} s outage the run is ${detail}`);
  expect(worker?.child.exitCode, `the worker died\n${worker?.output().slice(-4000)}`).toBeNull();
  expect(worker?.child.signalCode).toBeNull();
  if (ENDED.includes(run.status)) expect(run.activeInstanceId, detail).toBeNull();
  const backups = await db?.backup.findMany({ where: { upgradeRunId: runId } });
  expect(backups?.filter((b) => b.status === "running" || b.status === "pending"), "no backup of the run left half-done").toEqual([]);
  const okStatuses = run.status === "succeeded" || run.status === "monitoring";
  expect(run.instance.version, detail).toBe(okStatuses ? run.toVersion : run.fromVersion);
  if (run.status !== "failed") expect(run.instance.status, detail).toBe("active");
  expect(await answers200(`${run.instance.url}/health/status`, 30_000), `${run.instance.name} answers healthy after the outage`).toBe(true);
  const version = (await (await fetch(`${run.instance.url}/api/version`)).json()) as { version: string };
  expect(version.version, detail).toBe(run.instance.version);

  // The web server answers again, and the stream opened before the outage carried on after it.
  expect(await answers200(`${stack?.baseUrl}/health/status`, 30_000)).toBe(true);
  const list = await consoleApi("GET", "/api/superadmin/instances");
  expect(list.status, list.text).toBe(200);
  await waitUntil("an event after the outage on the stream opened before it", async () => events.some((e) => e.receivedAt >= backAt), 30_000).catch((e: unknown) => {
    throw new Error(`${String(e)} (back at ${backAt}; stream ${events.ended ?? "open"}; ${events.length} events, last ${JSON.stringify(events.at(-1))})\n${stack?.serverLog().slice(-6000)}`);
  });
  await waitUntil("the run's last status on that stream", async () => events.some((e) => e.type === "run_status" && e.data.status === run.status), 30_000);
  const fresh = watchEvents(runId);
  await waitUntil("a stream opened after the outage to replay the run", async () => fresh.some((e) => e.type === "run_status" && e.data.status === run.status), 30_000);

  if (run.status === "monitoring") {
    // Free the instance for the next upgrade: its monitoring window ends now.
    await db?.upgradeRun.update({ where: { id: runId }, data: { monitoringUntil: new Date() } });
    await waitUntil("monitoring to end", async () => (await readRun(runId))?.status === "succeeded", 30_000);
  }
}

beforeAll(async () => {
  rmSync(work, { recursive: true, force: true });
  try {
    stack = await startStack({ root, work, name: "console_outage", extraEnv: { RUN_LEASE_SECONDS: "6", HEALTH_TIMEOUT_SECONDS: "8" }, log: () => undefined });
  } finally {
    // startStack sets the stack's environment in this process; the suite's comes back.
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
  }
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: stack.databaseUrl }) });
  worker = startWorker(stack.env as Record<string, string>);
  await waitUntil("the worker to start", async () => worker?.output().includes("worker started"), 60_000);
});

afterAll(async () => {
  for (const s of streams) s.abort();
  await db?.$disconnect().catch(() => undefined);
  await worker?.stop();
  // The stack's teardown goes through this process's modules, which still name its database.
  await stack?.stop();
  try {
    stopLocalPostgres(pgDir, "immediate");
  } catch {
    // stopped with the stack
  }
  rmSync(work, { recursive: true, force: true });
});

describe("the database goes away mid-run", () => {
  it("for 3 s during the backup: the worker stays up, the run ends consistent, the console and its streams recover", async () => {
    await upgradeThroughOutage(3, ["backup"]);
  });

  it("for 15 s after the migration: the same", async () => {
    await upgradeThroughOutage(15, ["migrate", "configure", "deploy", "validate"]);
  });
});
