// Where the console's time goes in one upgrade (P1), read back from the run's own rows: the queue
// pickup before the first step, each step's time, the gaps between steps (the engine's bookkeeping)
// and the tail after the last one. Next to it, the plain script's time for the same commands.
import { readFileSync } from "node:fs";
import { median } from "./lib";

/** Milliseconds per phase of one plain-script upgrade, keyed like the runbook's steps. */
export type Phases = Record<string, number>;

/** Times `fn` into `phases[key]` (added up when a key is timed more than once). */
export async function phase<T>(phases: Phases, key: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await fn();
  } finally {
    phases[key] = (phases[key] ?? 0) + performance.now() - t;
  }
}

/** CPU milliseconds a process has used (user + system, without its children), from /proc. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** One console run's phases: `pickup`, one per step, `gaps` between steps, and `tail`. */
export async function profileRun(runId: string): Promise<{ phases: Phases; logLines: number; events: number }> {
  const { getDb } = await import("../../lib/db");
  const db = getDb();
  const run = await db.upgradeRun.findUniqueOrThrow({ where: { id: runId }, include: { steps: { orderBy: { position: "asc" } } } });
  const events = await db.runEvent.findMany({ where: { runId }, orderBy: { id: "asc" }, select: { type: true, createdAt: true, data: true } });
  const phases: Phases = {};
  const started = run.steps.filter((s) => s.startedAt);
  const first = started[0]?.startedAt;
  if (first) phases.pickup = first.getTime() - run.createdAt.getTime();
  let gaps = 0;
  for (const [i, s] of started.entries()) {
    const end = s.finishedAt ?? events.findLast((e) => e.type === "run_status")?.createdAt;
    if (end && s.startedAt) phases[s.key] = end.getTime() - s.startedAt.getTime();
    const next = started[i + 1];
    if (next?.startedAt && s.finishedAt) gaps += next.startedAt.getTime() - s.finishedAt.getTime();
  }
  phases.gaps = gaps;
  // BENCH_TRACE=1: each event's time from the API call, to find where a step's time goes.
  if (process.env.BENCH_TRACE) for (const e of events) console.error(`${String(e.createdAt.getTime() - run.createdAt.getTime()).padStart(6)} ms ${e.type} ${JSON.stringify(e.data).slice(0, 140)}`);
  return { phases, logLines: events.filter((e) => e.type === "log").length, events: events.length };
}

const ORDER = ["pickup", "preparation", "backup", "pre_checks", "maintenance_on", "pull_artifacts", "migrate", "configure", "deploy", "validate", "maintenance_off", "monitor", "gaps", "cpu"];
const LABEL: Record<string, string> = {
  pickup: "API call → first step starts (request, job pickup, lease)",
  gaps: "between steps, added up (outcome, next step's start)",
  cpu: "**CPU of the Node process doing it** (worker; bench process for the script; children not counted)",
  monitor: "monitor (opens the window; until the run shows `monitoring`)",
};

/** Markdown rows: phase | console median | plain script median | its checks' median, over the rounds. */
export function profileTable(console_: Phases[], plain: Phases[], checks: Phases[]): string {
  const ms = (xs: number[]) => (xs.length ? `${Math.round(median(xs))} ms` : "—");
  const col = (rows: Phases[], k: string) => rows.map((r) => r[k]).filter((v): v is number => v !== undefined);
  const lines = ORDER.map((k) => `| ${LABEL[k] ?? k} | ${ms(col(console_, k))} | ${ms(col(plain, k))} | ${ms(col(checks, k))} |`);
  return ["| phase | console (median) | plain script (median) | its checks, timed apart (median) |", "|---|---|---|---|", ...lines].join("\n");
}
