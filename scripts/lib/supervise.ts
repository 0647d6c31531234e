// Keeps a child process of `npm start` running: when it exits on its own it is started again,
// after a backoff that grows while it keeps dying and resets once it has stayed up a while. Each
// exit is logged with its code or signal, so the operator sees why.
import type { ChildProcess } from "node:child_process";

const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000];
// Up this long, and the next crash counts as the first again.
const STABLE_MS = 60_000;

export type Supervised = {
  readonly name: string;
  current(): ChildProcess | undefined;
  /** Stops it (SIGTERM, then SIGKILL after `graceMs`) and restarts it no more. */
  stop(graceMs?: number): Promise<void>;
};

export function supervise(opts: { name: string; start: () => ChildProcess; log: (line: string) => void; backoffMs?: number[] }): Supervised {
  const backoff = opts.backoffMs ?? BACKOFF_MS;
  let child: ChildProcess | undefined;
  let stopping = false;
  let failures = 0;
  let restarts = 0;
  let timer: NodeJS.Timeout | undefined;

  const launch = () => {
    timer = undefined;
    if (stopping) return;
    const startedAt = Date.now();
    const c = opts.start();
    child = c;
    c.once("exit", (code, signal) => {
      if (stopping) return;
      failures = Date.now() - startedAt >= STABLE_MS ? 1 : failures + 1;
      restarts += 1;
      const wait = backoff[Math.min(failures - 1, backoff.length - 1)] ?? 1_000;
      const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      opts.log(`The ${opts.name} (pid ${c.pid}) ${why}; restarting it in ${Math.round(wait / 1000)} s (restart ${restarts} since start).`);
      timer = setTimeout(launch, wait);
    });
  };
  launch();

  return {
    name: opts.name,
    current: () => child,
    async stop(graceMs = 20_000) {
      stopping = true;
      if (timer) clearTimeout(timer);
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((r) => c.once("exit", () => r()));
      c.kill("SIGTERM");
      const force = setTimeout(() => c.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(force);
    },
  };
}
