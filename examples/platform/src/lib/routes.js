// The platform's HTTP API (docs/platform-contract.md, "HTTP").
import { currentSchema, getSetting, setSetting } from "./db.js";
import { errorShare, neverHealthy, shouldFail } from "./faults.js";
import { HttpError, escapeHtml, hasBearer, htmlPage, maintenancePage, readJson, sendJson, sendText } from "./http.js";
import { PAUSE_KEY, jobs } from "./jobs.js";
import { renderMetrics } from "./metrics.js";
import { hasAuditEvents, hasFeatureFlags, release } from "./release.js";

// Paths that keep answering in maintenance: the console needs them to drive and verify the upgrade.
const MAINTENANCE_EXEMPT = new Set(["/health/status", "/api/version", "/api/jobs", "/api/config/version", "/metrics"]);

function intParam(raw, { min, max, fallback, name }) {
  if (raw === null || raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new HttpError(400, "invalid_parameter", `${name} must be an integer from ${min} to ${max}.`);
  return n;
}

const itemJson = (r) => ({ id: r.id, text: r.text, createdAt: r.created_at });

/** @param {{db: import("pg").Pool, maintenance: ReturnType<typeof import("./maintenance.js").createMaintenance>, getConfig: () => any, adminToken: string | undefined, instanceId: string | null, log: any}} ctx */
export function createRouter(ctx) {
  const { db, maintenance, adminToken, log } = ctx;

  async function audit(action, detail) {
    if (!hasAuditEvents) return;
    await db.query("INSERT INTO audit_events (action, detail) VALUES ($1, $2::jsonb)", [action, JSON.stringify(detail)]);
  }

  async function health(res) {
    const checks = { database: "ok", schema: "unknown" };
    let state = maintenance.lastKnown();
    let schemaOk = false;
    try {
      const schema = await currentSchema(db);
      checks.schema = schema;
      schemaOk = schema >= release.schemaVersion;
      if (schemaOk) state = await maintenance.get({ fresh: true });
    } catch (e) {
      checks.database = "error";
      checks.databaseError = e.message;
    }
    // The release cannot work on a schema older than its own (migrations not run yet).
    if (checks.database === "ok" && !schemaOk) checks.schemaError = `schema ${checks.schema} is older than this release's ${release.schemaVersion}`;
    if (neverHealthy) checks.startup = "failing";
    const healthy = checks.database === "ok" && schemaOk && !neverHealthy;
    sendJson(res, healthy ? 200 : 503, { status: healthy ? "healthy" : "unhealthy", version: release.version, maintenance: state, checks, instance: ctx.instanceId });
  }

  async function admin(req, res, path) {
    if (!hasBearer(req, adminToken)) throw new HttpError(401, "unauthorized", "The admin endpoints need Authorization: Bearer <ADMIN_TOKEN>.");
    if (req.method !== "POST") throw new HttpError(405, "method_not_allowed", "Admin endpoints take POST.");
    const body = await readJson(req);
    if (path === "/admin/maintenance") {
      if (typeof body.enabled !== "boolean") throw new HttpError(400, "invalid_body", "enabled must be a boolean.");
      if (body.message !== undefined && body.message !== null && (typeof body.message !== "string" || body.message.length > 1000)) {
        throw new HttpError(400, "invalid_body", "message must be a string of at most 1000 characters.");
      }
      const state = await maintenance.set(body.enabled, body.message || null);
      await audit(body.enabled ? "maintenance.enabled" : "maintenance.disabled", state);
      log.info(`maintenance ${body.enabled ? "on" : "off"}`, { message: state.message });
      return sendJson(res, 200, { maintenance: state });
    }
    if (path === "/admin/jobs/pause" || path === "/admin/jobs/resume") {
      const paused = path.endsWith("/pause");
      await setSetting(db, PAUSE_KEY, paused);
      await audit(paused ? "jobs.paused" : "jobs.resumed", {});
      log.info(paused ? "job queue paused" : "job queue resumed");
      return sendJson(res, 200, { paused });
    }
    if (path === "/admin/jobs") {
      const kind = body.kind ?? "demo";
      if (typeof kind !== "string" || !/^[a-z0-9_.-]{1,64}$/i.test(kind)) throw new HttpError(400, "invalid_body", "kind must be 1-64 letters, digits, '.', '_' or '-'.");
      const durationMs = intParam(body.durationMs, { min: 0, max: 3_600_000, fallback: 1000, name: "durationMs" });
      const job = await jobs.enqueue(db, kind, durationMs);
      return sendJson(res, 201, { job });
    }
    if (path === "/admin/flags" && hasFeatureFlags) {
      const { tenant, flag, enabled } = body;
      if (typeof tenant !== "string" || typeof flag !== "string" || typeof enabled !== "boolean" || !tenant || !flag) {
        throw new HttpError(400, "invalid_body", "tenant and flag (strings) and enabled (boolean) are required.");
      }
      await db.query(
        `INSERT INTO tenant_feature_flags (tenant, flag, enabled) VALUES ($1, $2, $3)
         ON CONFLICT (tenant, flag) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now()`,
        [tenant, flag, enabled],
      );
      return sendJson(res, 200, { tenant, flag, enabled });
    }
    throw new HttpError(404, "not_found", `No admin endpoint ${path}.`);
  }

  async function items(req, res, url, path) {
    if (path === "/api/items" && req.method === "POST") {
      const body = await readJson(req);
      if (typeof body.text !== "string" || body.text.length < 1 || body.text.length > 2000) throw new HttpError(400, "invalid_body", "text must be a string of 1 to 2000 characters.");
      const { rows } = await db.query("INSERT INTO items (text) VALUES ($1) RETURNING id, text, created_at", [body.text]);
      return sendJson(res, 201, itemJson(rows[0]));
    }
    if (path === "/api/items" && req.method === "GET") {
      const limit = intParam(url.searchParams.get("limit"), { min: 1, max: 100, fallback: 20, name: "limit" });
      const { rows } = await db.query("SELECT id, text, created_at FROM items ORDER BY id DESC LIMIT $1", [limit]);
      return sendJson(res, 200, { items: rows.map(itemJson) });
    }
    const m = /^\/api\/items\/(\d{1,9})$/.exec(path);
    if (m && req.method === "GET") {
      const { rows } = await db.query("SELECT id, text, created_at FROM items WHERE id = $1", [Number(m[1])]);
      if (!rows.length) throw new HttpError(404, "not_found", `No item ${m[1]}.`);
      return sendJson(res, 200, itemJson(rows[0]));
    }
    return false;
  }

  async function api(req, res, url, path) {
    if (req.method === "GET" && path === "/api/version") return sendJson(res, 200, { version: release.version });
    if (req.method === "GET" && path === "/api/config/version") {
      const c = ctx.getConfig();
      return sendJson(res, 200, { configVersion: c.configVersion, sha256: c.sha256, keys: c.keys });
    }
    if (req.method === "GET" && path === "/api/jobs") {
      const status = url.searchParams.get("status") ?? "active";
      if (status !== "active") throw new HttpError(400, "invalid_parameter", "status must be active.");
      const [list, paused] = await Promise.all([jobs.active(db), getSetting(db, PAUSE_KEY, false)]);
      return sendJson(res, 200, { jobs: list, count: list.length, paused: !!paused });
    }
    if (req.method === "GET" && path === "/api/flags" && hasFeatureFlags) {
      const tenant = url.searchParams.get("tenant") ?? "";
      const { rows } = await db.query("SELECT flag, enabled FROM tenant_feature_flags WHERE tenant = $1 ORDER BY flag", [tenant]);
      return sendJson(res, 200, { tenant, flags: Object.fromEntries(rows.map((r) => [r.flag, r.enabled])) });
    }
    if ((await items(req, res, url, path)) !== false) return;
    throw new HttpError(404, "not_found", `No route ${req.method} ${path}.`);
  }

  return async function route(req, res) {
    const url = new URL(req.url ?? "/", "http://platform.invalid");
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;

    if (path === "/health/status" && req.method === "GET") return health(res);
    if (path === "/metrics" && req.method === "GET") {
      const depth = await jobs.queueDepth(db).catch(() => null);
      return sendText(res, 200, "text/plain; version=0.0.4; charset=utf-8", renderMetrics({ version: release.version, instance: ctx.instanceId, queueDepth: depth }));
    }
    if (path.startsWith("/admin/")) return admin(req, res, path);

    // Operators (and the console's smoke test) holding the admin token see through maintenance.
    if (!MAINTENANCE_EXEMPT.has(path) && !hasBearer(req, adminToken)) {
      const state = await maintenance.get().catch(() => maintenance.lastKnown());
      if (state.enabled) {
        return sendText(res, 503, "text/html; charset=utf-8", maintenancePage(state.message, release.version), { "cache-control": "no-store", "retry-after": "60" });
      }
    }

    if (path.startsWith("/api/")) {
      if (shouldFail()) {
        throw new HttpError(500, "internal", `Injected fault (${release.version}): error share is now ${Math.round(errorShare() * 100)}%.`);
      }
      return api(req, res, url, path);
    }
    if (path === "/" && req.method === "GET") {
      return sendText(res, 200, "text/html; charset=utf-8", htmlPage("WebWaka", `<h1>WebWaka platform</h1><p>Version ${escapeHtml(release.version)}</p>`));
    }
    throw new HttpError(404, "not_found", `No route ${req.method} ${path}.`);
  };
}
