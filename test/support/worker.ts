import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export type WorkerHandle = { child: ChildProcess; pid: number; output: () => string; stop: () => Promise<void>; kill: () => Promise<void> };

const root = path.resolve(import.meta.dirname, "../..");

/** A real worker process (worker/main.ts) on the suite's database; `extraEnv` adds to its env. */
export function startWorker(extraEnv: Record<string, string> = {}): WorkerHandle {
  // `node --import tsx` (not the tsx CLI, which forks again): the pid here is the worker's own, the
  // one its lease names.
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", path.join(root, "worker/main.ts")], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
  };
  return { child, pid: child.pid ?? 0, output: () => out, stop: () => end("SIGTERM"), kill: () => end("SIGKILL") };
}
