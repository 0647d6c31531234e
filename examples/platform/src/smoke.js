// `node smoke.js --url URL [--token T] [--expect-version V]`: the runbook's post-upgrade smoke
// test against a running app. Prints a JSON summary; exits 0 when every check passed, else 1.
// With the admin token (--token or ADMIN_TOKEN) it also works while maintenance is on.
import { release } from "./lib/release.js";

function arg(name) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

const base = arg("url");
if (!base) {
  process.stderr.write("usage: node smoke.js --url URL [--token ADMIN_TOKEN] [--expect-version V]\n");
  process.exit(2);
}
const token = arg("token") ?? process.env.ADMIN_TOKEN;
const expectVersion = arg("expect-version") ?? release.version;
const checks = [];

async function call(path, init = {}) {
  const headers = { ...(init.body ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const res = await fetch(new URL(path, base), { ...init, headers, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: the check that wanted JSON reports it
  }
  return { status: res.status, json };
}

async function check(name, fn) {
  const t0 = Date.now();
  try {
    const detail = await fn();
    checks.push({ name, ok: true, ms: Date.now() - t0, detail });
  } catch (e) {
    checks.push({ name, ok: false, ms: Date.now() - t0, detail: e.message });
  }
}

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

await check("health", async () => {
  const r = await call("/health/status");
  expect(r.status === 200 && r.json?.status === "healthy", `GET /health/status answered ${r.status} ${r.json?.status ?? ""}`);
  return "healthy";
});
await check("version", async () => {
  const r = await call("/api/version");
  expect(r.status === 200, `GET /api/version answered ${r.status}`);
  expect(r.json?.version === expectVersion, `version is ${r.json?.version}, expected ${expectVersion}`);
  return r.json.version;
});
await check("item round trip", async () => {
  const text = `smoke ${new Date().toISOString()}`;
  const created = await call("/api/items", { method: "POST", body: JSON.stringify({ text }) });
  expect(created.status === 201, `POST /api/items answered ${created.status}`);
  const back = await call(`/api/items/${created.json.id}`);
  expect(back.status === 200 && back.json?.text === text, `GET /api/items/${created.json.id} answered ${back.status} with other text`);
  return `item ${created.json.id}`;
});
await check("item list", async () => {
  let errors = 0;
  for (let i = 0; i < 10; i++) if ((await call("/api/items?limit=5")).status >= 500) errors += 1;
  expect(errors === 0, `${errors} of 10 reads answered 5xx`);
  return "10 reads";
});
await check("config version", async () => {
  const r = await call("/api/config/version");
  expect(r.status === 200 && Number.isInteger(r.json?.configVersion), `GET /api/config/version answered ${r.status}`);
  return `configVersion ${r.json.configVersion}`;
});

const ok = checks.every((c) => c.ok);
console.log(JSON.stringify({ ok, url: base, version: expectVersion, checks }, null, 2));
process.exit(ok ? 0 : 1);
