import { randomBytes } from "node:crypto";
import { testDb } from "./db";
import { ADMIN_DATABASE_URL } from "./env";
import { provisionProcessInstance } from "@/lib/instances/provision-instance";
import { loadRuntime } from "@/lib/runtime/load-runtime";
import { freePort } from "@/scripts/lib/local-postgres";
import { isTerminal } from "@/lib/upgrades/lifecycle";
import type { UpgradeStatus } from "@/generated/prisma/enums";

export type TestInstance = { id: string; name: string; url: string; adminToken: string; databaseUrl: string };

/** A real instance of the reference platform (process driver) with its own database. */
export async function createTestInstance(version: string, opts: { channel?: "auto_update" | "manual_approval" | "frozen"; autoRollback?: boolean; requiredApprovals?: number } = {}): Promise<TestInstance> {
  const name = `t-${randomBytes(4).toString("hex")}`;
  const row = await testDb().instance.create({
    data: { name, url: "http://127.0.0.1:1", version, updateChannel: opts.channel ?? "auto_update", autoRollback: opts.autoRollback ?? true, requiredApprovals: opts.requiredApprovals ?? 1, monitoringWindowMinutes: 30 },
  });
  await provisionProcessInstance({ instanceId: row.id, adminDatabaseUrl: ADMIN_DATABASE_URL, port: await freePort() });
  const fresh = await testDb().instance.findUniqueOrThrow({ where: { id: row.id }, include: { host: true } });
  const loaded = await loadRuntime(fresh);
  return { id: row.id, name, url: fresh.url, adminToken: loaded.runtime.adminToken, databaseUrl: loaded.runtime.databaseUrl };
}

export async function stopTestInstance(i: TestInstance): Promise<void> {
  const fresh = await testDb().instance.findUniqueOrThrow({ where: { id: i.id }, include: { host: true } });
  const loaded = await loadRuntime(fresh);
  await loaded.driver.stop(loaded.runtime, () => undefined);
}

export async function writeItem(i: TestInstance, text: string): Promise<number | string> {
  const res = await fetch(`${i.url}/api/items`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${i.adminToken}` }, body: JSON.stringify({ text }) });
  if (res.status !== 201) throw new Error(`POST /api/items answered ${res.status}`);
  return ((await res.json()) as { id: number | string }).id;
}

export async function readItems(i: TestInstance): Promise<string[]> {
  const res = await fetch(`${i.url}/api/items?limit=100`, { headers: { authorization: `Bearer ${i.adminToken}` } });
  if (!res.ok) throw new Error(`GET /api/items answered ${res.status}`);
  const body = (await res.json()) as { items: { text: string }[] };
  return body.items.map((x) => x.text).sort();
}

export async function instanceVersion(i: TestInstance): Promise<string | null> {
  const res = await fetch(`${i.url}/api/version`).catch(() => null);
  return res?.ok ? ((await res.json()) as { version: string }).version : null;
}


/** Polls a run until `done(status)` or the timeout. */
export async function waitForRun(runId: string, done: (status: string) => boolean = (s) => isTerminal(s as UpgradeStatus) || s === "monitoring", timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await testDb().upgradeRun.findUniqueOrThrow({ where: { id: runId }, include: { steps: { orderBy: { position: "asc" } }, childRuns: true } });
    if (done(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`Run ${runId} is still ${run.status} after ${timeoutMs / 1000} s: ${run.steps.map((s) => `${s.key}=${s.status}`).join(" ")}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const FULL_CHECKLIST = { maintenanceWindowScheduled: true, stakeholdersNotified: true, rollbackPlanPrepared: true } as const;
