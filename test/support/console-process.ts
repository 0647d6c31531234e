// A real `npm start` (scripts/start.ts) in a data folder of its own, for the restart tests, and the
// plain TCP listeners they squat ports with. Everything here is killed by `cleanUpConsole`.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import path from "node:path";
import { removeLocalPostgres } from "@/scripts/lib/local-postgres";

const root = path.resolve(import.meta.dirname, "../..");

// What the suite's own environment sets for its stack; a console started from it must not see
// any of it, or it would use the suite's database and secrets instead of its own.
const SUITE_KEYS = ["DATABASE_URL", "NEXTAUTH_SECRET", "NEXTAUTH_URL", "ENCRYPTION_KEY", "STORAGE_DIR", "RELEASE_FEED", "NODE_ENV", "RUN_LEASE_SECONDS", "HEALTH_TIMEOUT_SECONDS", "AUTO_UPDATE_INTERVAL_SECONDS", "DEMO_PASSWORD"];

export function consoleEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (SUITE_KEYS.includes(k) || k.startsWith("TEST_") || k.startsWith("VITEST")) continue;
    env[k] = v;
  }
  return { ...env, ...extra } as NodeJS.ProcessEnv;
}

export type ConsoleProcess = {
  child: ChildProcess;
  output: () => string;
  /** Resolves once the output has a line matching `re`; fails when the console exits or after `timeoutMs`. */
  waitForLine: (re: RegExp, timeoutMs: number) => Promise<string>;
  /** Ctrl-C: SIGINT, then the exit code (fails after `timeoutMs`). */
  interrupt: (timeoutMs?: number) => Promise<number | null>;
};

/** `node --import tsx scripts/start.ts`, what `npm start` hands over to, with `env` as its whole environment. */
export function launchConsole(env: NodeJS.ProcessEnv): ConsoleProcess {
  // A process group of its own, so a failed test can kill the console and its children at once.
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", path.join(root, "scripts/start.ts")], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  const waiters = new Set<() => void>();
  const take = (b: Buffer) => {
    out += b.toString();
    for (const w of waiters) w();
  };
  child.stdout?.on("data", take);
  child.stderr?.on("data", take);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.once("exit", () => {
    for (const w of waiters) w();
  });

  const waitForLine = (re: RegExp, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = out.split("\n").find((l) => re.test(l));
        if (line !== undefined) return done(() => resolve(line));
        if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`The console exited (${child.exitCode ?? child.signalCode}) before printing ${re}:\n${out.slice(-3000)}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`No line matching ${re} within ${timeoutMs / 1000} s:\n${out.slice(-3000)}`))), timeoutMs);
      const done = (fn: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        fn();
      };
      waiters.add(check);
      check();
    });

  const interrupt = async (timeoutMs = 90_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill("SIGINT");
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`The console did not stop within ${timeoutMs / 1000} s:\n${out.slice(-2000)}`)), timeoutMs);
    });
    try {
      return await Promise.race([exited, late]);
    } finally {
      clearTimeout(timer);
    }
  };

  return { child, output: () => out, waitForLine, interrupt };
}

/** Polls `url` until it answers 200; false after `timeoutMs`. */
export async function answers200(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(3_000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** A plain TCP listener on 127.0.0.1:port that accepts and says nothing: "another program". */
export function squatPort(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer((socket) => socket.on("error", () => undefined));
    srv.once("error", reject);
    srv.listen(port, "127.0.0.1", () => resolve(srv));
  });
}

export function closeServer(srv: Server): Promise<void> {
  return new Promise((resolve) => srv.close(() => resolve()));
}

function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/**
 * After a test, whatever happened: the console's process group, the demo fleet's processes (found
 * through their pid files), its PostgreSQL, and its data folder.
 */
export function cleanUpConsole(c: ConsoleProcess | undefined, dataDir: string): void {
  if (c?.child.pid && c.child.exitCode === null && c.child.signalCode === null) killGroup(c.child.pid);
  const instances = path.join(dataDir, "storage", "instances");
  if (existsSync(instances)) {
    for (const id of readdirSync(instances)) {
      for (const component of ["app", "worker"]) {
        try {
          const rec = JSON.parse(readFileSync(path.join(instances, id, `${component}.pid.json`), "utf8")) as { pid: number };
          // Only a process still running a bundle from this folder: a pid may have been reused.
          if (readFileSync(`/proc/${rec.pid}/cmdline`, "utf8").includes(dataDir)) killGroup(rec.pid);
        } catch {
          // no pid file: not running
        }
      }
    }
  }
  removeLocalPostgres(path.join(dataDir, "postgres"));
  rmSync(dataDir, { recursive: true, force: true });
}
