// `npm test`: lint, typecheck, then the unit/API suite (Vitest) and the browser suite
// (Playwright, Debian's Chromium) against a real PostgreSQL and a real `next start` on 127.0.0.1.
// A fresh database per run; nothing is mocked. Ends with one line: `N passed, N failed`.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { startStack, type Stack } from "./lib/stack";

const root = path.resolve(import.meta.dirname, "..");
const work = path.join(root, ".test-data");
const log = (line: string) => console.log(`[test] ${line}`);

type Phase = { name: string; passed: number; failed: number; skipped: number };
const phases: Phase[] = [];
// `npm test -- path/filter` runs only matching Vitest files and skips lint and the browser suite:
// for working on one area. CI runs everything.
const filters = process.argv.slice(2).filter((a) => !a.startsWith("-"));

function runTool(name: string, args: string[]): void {
  log(`${name}: ${args.join(" ")}`);
  const ok = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" }).status === 0;
  phases.push({ name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 });
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return null;
  }
}

let stack: Stack | undefined;

async function main(): Promise<void> {
  mkdirSync(work, { recursive: true });
  // Static checks first: they are quick and say the most about a broken tree.
  if (!filters.length) {
    runTool("lint", [path.join(root, "node_modules/eslint/bin/eslint.js"), "--max-warnings=0", "."]);
    runTool("typecheck", [path.join(root, "node_modules/typescript/bin/tsc"), "--noEmit"]);
  }

  // Short leases and health timeouts keep the crash-and-resume and faulty-build tests quick; the
  // behaviour is the same as in production.
  stack = await startStack({ root, work, name: "console_test", extraEnv: { RUN_LEASE_SECONDS: "6", HEALTH_TIMEOUT_SECONDS: "8" }, log });

  const vitestJson = path.join(work, "vitest.json");
  rmSync(vitestJson, { force: true });
  spawnSync(process.execPath, [path.join(root, "node_modules/vitest/vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestJson}`, ...filters], {
    cwd: root,
    stdio: "inherit",
    env: { ...stack.env, NODE_ENV: "test" },
  });
  const v = readJson<{ numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number; success: boolean }>(vitestJson);
  phases.push(v ? { name: "vitest", passed: v.numPassedTests, failed: v.numFailedTests + (v.success || v.numFailedTests ? 0 : 1), skipped: v.numPendingTests + v.numTodoTests } : { name: "vitest", passed: 0, failed: 1, skipped: 0 });

  if (filters.length) return;
  // The browser suite watches runs progress, so it needs a worker; Vitest files start their own.
  stack.startWorker();
  const pwJson = path.join(work, "playwright.json");
  rmSync(pwJson, { force: true });
  spawnSync(process.execPath, [path.join(root, "node_modules/@playwright/test/cli.js"), "test", "--reporter=list,json"], {
    cwd: root,
    stdio: "inherit",
    env: { ...stack.env, PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson },
  });
  const p = readJson<{ stats: { expected: number; unexpected: number; flaky: number; skipped: number } }>(pwJson);
  phases.push(p ? { name: "playwright", passed: p.stats.expected + p.stats.flaky, failed: p.stats.unexpected, skipped: p.stats.skipped } : { name: "playwright", passed: 0, failed: 1, skipped: 0 });
}

let crashed = false;
try {
  await main();
} catch (e) {
  crashed = true;
  console.error(`[test] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
} finally {
  if (stack && (crashed || phases.some((ph) => ph.failed > 0))) {
    console.log("\n[test] Last lines of the server's and workers' logs:");
    console.log(stack.serverLog().split("\n").slice(-40).join("\n"));
  }
  await stack?.stop();
}

console.log("\n[test] Summary");
// Only the last line has the `N passed, N failed` shape, so CI reads the total.
for (const ph of phases) console.log(`[test]   ${ph.name.padEnd(10)} passed ${ph.passed}, failed ${ph.failed}${ph.skipped ? `, skipped ${ph.skipped}` : ""}`);
const passed = phases.reduce((n, ph) => n + ph.passed, 0);
const failed = phases.reduce((n, ph) => n + ph.failed, 0) + (crashed ? 1 : 0);
const skipped = phases.reduce((n, ph) => n + ph.skipped, 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
