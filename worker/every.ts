import { logError } from "@/lib/log";

/**
 * The worker's one scheduling helper: runs `task` every `ms` (and once at once with `now`), never
 * two rounds at a time: a tick that finds the last round still going is skipped. A failed round
 * is logged under `name` and the next tick tries again. Each replica runs its own loops; the
 * tasks are safe to run from several at once (they claim rows, or take leases). Returns stop(),
 * which with `drain` also waits for the round under way (one that is cheap to finish and costly
 * to cut, as a delivery round); others are left to the process's exit.
 */
export function every(name: string, ms: number, task: () => Promise<unknown>, opts: { now?: boolean; drain?: boolean } = {}): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return;
    running = task()
      .catch((e: unknown) => logError(`${name} failed`, e))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, ms);
  if (opts.now) tick();
  return async () => {
    clearInterval(timer);
    if (opts.drain) await running;
  };
}
