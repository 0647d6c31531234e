// HTTP calls the engine makes to a platform instance (docs/platform-contract.md). Both drivers
// run the app on 127.0.0.1:port, so this is driver-independent.
import { DriverError } from "@/lib/runtime/types";

export type PlatformHealth = { httpStatus: number; status: string; version: string | null; maintenance: { enabled: boolean; message: string | null } | null };

async function call(baseUrl: string, path: string, init: RequestInit & { timeoutMs?: number; adminToken?: string } = {}): Promise<Response> {
  const { timeoutMs = 10_000, adminToken, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (adminToken) headers.set("authorization", `Bearer ${adminToken}`);
  if (rest.body) headers.set("content-type", "application/json");
  try {
    return await fetch(new URL(path, baseUrl), { ...rest, headers, signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
  } catch (e) {
    throw new DriverError("unreachable", `The instance did not answer ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export async function getHealth(baseUrl: string): Promise<PlatformHealth> {
  const res = await call(baseUrl, "/health/status");
  const body = (await res.json().catch(() => ({}))) as { status?: string; version?: string; maintenance?: { enabled: boolean; message?: string | null } };
  return {
    httpStatus: res.status,
    status: body.status ?? "unknown",
    version: body.version ?? null,
    maintenance: body.maintenance ? { enabled: !!body.maintenance.enabled, message: body.maintenance.message ?? null } : null,
  };
}

export async function getVersion(baseUrl: string): Promise<string | null> {
  const res = await call(baseUrl, "/api/version");
  if (!res.ok) return null;
  return ((await res.json()) as { version?: string }).version ?? null;
}

export async function getActiveJobs(baseUrl: string): Promise<{ count: number; paused: boolean }> {
  const res = await call(baseUrl, "/api/jobs?status=active");
  if (!res.ok) throw new DriverError("unreachable", `GET /api/jobs answered ${res.status}`);
  const body = (await res.json()) as { count?: number; jobs?: unknown[]; paused?: boolean };
  return { count: body.count ?? body.jobs?.length ?? 0, paused: !!body.paused };
}

async function admin(baseUrl: string, adminToken: string, path: string, body: unknown): Promise<void> {
  const res = await call(baseUrl, path, { method: "POST", adminToken, body: JSON.stringify(body) });
  if (!res.ok) throw new DriverError("maintenance_failed", `POST ${path} answered ${res.status}`);
}

export function setPlatformMaintenance(baseUrl: string, adminToken: string, enabled: boolean, message?: string): Promise<void> {
  return admin(baseUrl, adminToken, "/admin/maintenance", { enabled, ...(message ? { message } : {}) });
}

/** Runbook step 4 on the platform: the maintenance page on, the job queue paused. */
export async function enterPlatformMaintenance(baseUrl: string, adminToken: string, message: string): Promise<void> {
  await setPlatformMaintenance(baseUrl, adminToken, true, message);
  await pauseJobs(baseUrl, adminToken);
}

/** Runbook step 10 on the platform, and every undo of step 4: maintenance off, the queue resumed. */
export async function leavePlatformMaintenance(baseUrl: string, adminToken: string): Promise<void> {
  await setPlatformMaintenance(baseUrl, adminToken, false);
  await resumeJobs(baseUrl, adminToken);
}

export function pauseJobs(baseUrl: string, adminToken: string): Promise<void> {
  return admin(baseUrl, adminToken, "/admin/jobs/pause", {});
}

export function resumeJobs(baseUrl: string, adminToken: string): Promise<void> {
  return admin(baseUrl, adminToken, "/admin/jobs/resume", {});
}

export async function getConfigVersion(baseUrl: string): Promise<{ configVersion: number; sha256: string } | null> {
  const res = await call(baseUrl, "/api/config/version");
  if (!res.ok) return null;
  return (await res.json()) as { configVersion: number; sha256: string };
}

/** Requests answered by status class, from the Prometheus counter `http_requests_total{status}`. */
export async function getRequestCounts(baseUrl: string): Promise<{ total: number; errors: number }> {
  const res = await call(baseUrl, "/metrics");
  if (!res.ok) throw new DriverError("unreachable", `GET /metrics answered ${res.status}`);
  let total = 0;
  let errors = 0;
  for (const line of (await res.text()).split("\n")) {
    const m = /^http_requests_total\{[^}]*status="(\d{3})"[^}]*\}\s+([0-9.e+]+)/.exec(line);
    if (!m) continue;
    const n = Number(m[2]);
    total += n;
    if ((m[1] ?? "").startsWith("5")) errors += n;
  }
  return { total, errors };
}

/**
 * The runbook's smoke test over HTTP: write an item and read it back, plus a burst of reads. It
 * runs while maintenance is still on (step 9 precedes step 10), so it authenticates as admin,
 * which the platform lets through its maintenance page.
 */
export async function runSmokeTest(baseUrl: string, opts: { reads?: number; adminToken?: string } = {}): Promise<{ ok: boolean; errors: number; requests: number; detail: string }> {
  const auth = opts.adminToken ? { adminToken: opts.adminToken } : {};
  const created = await call(baseUrl, "/api/items", { method: "POST", body: JSON.stringify({ text: `smoke ${new Date().toISOString()}` }), ...auth });
  if (created.status !== 201) return { ok: false, errors: 1, requests: 1, detail: `POST /api/items answered ${created.status}` };
  const item = (await created.json()) as { id: string | number };
  const back = await call(baseUrl, `/api/items/${item.id}`, auth);
  if (!back.ok) return { ok: false, errors: 1, requests: 2, detail: `GET /api/items/${item.id} answered ${back.status}` };
  let errors = 0;
  const reads = opts.reads ?? 40;
  for (let i = 0; i < reads; i++) {
    const r = await call(baseUrl, "/api/items?limit=5", auth);
    if (r.status >= 500) errors += 1;
    await r.arrayBuffer();
  }
  return { ok: errors === 0, errors, requests: reads + 2, detail: `${reads + 2} requests, ${errors} server errors` };
}
