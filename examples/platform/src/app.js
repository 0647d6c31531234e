// The platform's web process: `node app.js` with DATABASE_URL, PORT, HOST, CONFIG_FILE,
// ADMIN_TOKEN and INSTANCE_ID (docs/platform-contract.md).
import http from "node:http";
import { ConfigError, loadConfig, loadConfigOrExit } from "./lib/config.js";
import { createPool, requireDatabaseUrl } from "./lib/db.js";
import { configureErrorRamp, slowStopMs, startErrorRamp } from "./lib/faults.js";
import { HttpError, sendJson } from "./lib/http.js";
import { createLogger } from "./lib/log.js";
import { createMaintenance } from "./lib/maintenance.js";
import { observeRequest } from "./lib/metrics.js";
import { release } from "./lib/release.js";
import { createRouter } from "./lib/routes.js";

const log = createLogger("app");
let config = loadConfigOrExit("app");
const databaseUrl = requireDatabaseUrl("app");
configureErrorRamp(config.values);

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST || "127.0.0.1";
const instanceId = process.env.INSTANCE_ID || null;
const db = createPool({ url: databaseUrl, max: config.poolSize, applicationName: `webwaka-app:${instanceId ?? "local"}` });
const maintenance = createMaintenance(db);
const route = createRouter({ db, maintenance, getConfig: () => config, adminToken: process.env.ADMIN_TOKEN || undefined, instanceId, log });

const server = http.createServer(async (req, res) => {
  const started = process.hrtime.bigint();
  res.on("finish", () => observeRequest(res.statusCode, Number(process.hrtime.bigint() - started) / 1e9));
  try {
    await route(req, res);
  } catch (e) {
    const status = e instanceof HttpError ? e.status : 500;
    if (status >= 500) log.error(`${req.method} ${req.url} answered ${status}`, { error: e.message });
    if (res.headersSent) return void res.destroy();
    sendJson(res, status, { error: { code: e instanceof HttpError ? e.code : "internal", message: e instanceof HttpError ? e.message : "Internal error." } });
  }
});
server.keepAliveTimeout = 5000;

server.on("error", (e) => {
  log.error(`cannot listen on ${host}:${port}: ${e.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  startErrorRamp();
  log.info(`listening on http://${host}:${port}`, { schemaVersion: release.schemaVersion, fault: release.fault, poolSize: config.poolSize });
});

// Runbook step 7: `kill -HUP` reloads the config. A bad file is refused and the old one kept.
process.on("SIGHUP", () => {
  try {
    config = loadConfig();
    configureErrorRamp(config.values);
    log.info("config reloaded", { configVersion: config.configVersion });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    log.error(`config reload refused, keeping version ${config.configVersion}: ${e.message}`);
  }
});

let stopping = false;
function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  log.info(`${signal}: stopping`);
  const linger = slowStopMs(config.values);
  if (linger > 0) {
    log.info(`lingering ${linger / 1000} s before closing (SLOW_STOP_SECONDS)`);
    setTimeout(() => closeServer(), linger);
    return;
  }
  closeServer();
}

function closeServer() {
  // Finish in-flight requests, drop idle keep-alive sockets, then close the pool.
  server.close(async () => {
    await db.end().catch(() => {});
    log.info("stopped");
    process.exit(0);
  });
  server.closeIdleConnections();
  setTimeout(() => {
    log.warn("requests still open after 8 s; closing them");
    server.closeAllConnections();
    process.exit(0);
  }, 8000).unref();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
