// Shared pieces of the benchmarks (scripts/bench/run.ts): statistics, formatting, the report file,
// and small clients for the console under test. Nothing here asserts: figures are reported.
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Stack } from "../lib/stack";

export const root = path.resolve(import.meta.dirname, "../..");
export const RUNS = Number(process.env.BENCH_RUNS ?? 3);
export const log = (line: string) => console.log(`[bench] ${line}`);

export type Bench = {
  /** Used by `npm run bench -- --only <name>,…` and as the section marker in docs/benchmarks.md. */
  name: string;
  /** Needs the web server and the reference fleet (scripts/lib/stack.ts); otherwise only the database. */
  needsServer: boolean;
  /** Returns the section's markdown, headed by its own `## ` title. */
  run: (stack: Stack) => Promise<string>;
};

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
export const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)] ?? NaN;
export const pct = (xs: number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
export const min = (xs: number[]) => sorted(xs)[0] ?? NaN;
export const max = (xs: number[]) => sorted(xs).at(-1) ?? NaN;

/** "min / median / max" of a figure over the runs, in the unit given. */
export function triple(xs: number[], unit: "ms" | "s" | "MiB" | "×" | "" = "ms", digits?: number): string {
  const d = digits ?? (unit === "s" || unit === "×" ? 2 : unit === "ms" && max(xs) < 10 ? 1 : 0);
  const f = (v: number) => (unit === "s" ? (v / 1000).toFixed(d) : v.toFixed(d));
  const u = unit === "" ? "" : unit === "×" ? "×" : ` ${unit}`;
  return `${f(min(xs))} / ${f(median(xs))} / ${f(max(xs))}${u}`;
}

/** Runs `fn` RUNS times (after `warmup` untimed calls) and returns each run's milliseconds. */
export async function timeRuns(fn: () => Promise<unknown>, opts: { runs?: number; warmup?: number } = {}): Promise<number[]> {
  for (let i = 0; i < (opts.warmup ?? 0); i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < (opts.runs ?? RUNS); i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;
}

const REPORT = path.join(root, "docs/benchmarks.md");
const HEAD = `# Benchmarks

Measured by \`npm run bench\` (\`scripts/bench/run.ts\`; one section with \`npm run bench -- --only <name>\`).
Each section names the day and machine it was measured on. Figures are min / median / max over
the runs, each next to a baseline measured in the same run, because this machine is shared and
noisy. They are measurements, not limits: no test asserts them.
`;

/** Replaces (or appends) one bench's section in docs/benchmarks.md, keeping the others. */
export function writeSection(name: string, markdown: string): void {
  let doc: string;
  try {
    doc = readFileSync(REPORT, "utf8");
  } catch {
    doc = HEAD;
  }
  if (!doc.includes("<!-- bench:")) doc = HEAD;
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const stamp = `_Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, ${RUNS} runs._`;
  const block = `${open}\n${markdown.trim()}\n\n${stamp}\n${close}`;
  const start = doc.indexOf(open);
  const end = doc.indexOf(close);
  doc = start >= 0 && end > start ? doc.slice(0, start) + block + doc.slice(end + close.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(REPORT, doc);
}

export async function api(stack: Stack, url: string, init: { method?: string; body?: unknown; token?: keyof Stack["tokens"] } = {}): Promise<unknown> {
  const res = await fetch(`${stack.baseUrl}${url}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { authorization: `Bearer ${stack.tokens[init.token ?? "superadmin"]}`, ...(init.body !== undefined ? { "content-type": "application/json" } : {}) },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return res.headers.get("content-type")?.includes("json") ? res.json() : res.text();
}
