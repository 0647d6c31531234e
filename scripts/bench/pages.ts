// P5: the full HTML of the dashboard, the policy calendar and the instance list, signed in as a
// superadmin, on the seeded fleet (3 instances) and then on a big fleet provisioned with SQL
// (scripts/bench/big-fleet.ts: 1,000 instances, 21k runs). The big fleet is deleted at the end, so
// the benches after this one see the stack as it was.
import { loadavg } from "node:os";
import type { Stack } from "../lib/stack";
import { signInAt } from "../../test/support/session";
import { EMAILS } from "../../test/support/env";
import { analyzeTables, countBigFleetRows, deleteBigFleet, provisionBigFleet } from "./big-fleet";
import { log, median, pct, RUNS, triple, type Bench } from "./lib";

const INSTANCES = Number(process.env.BENCH_PAGES_INSTANCES ?? 1000);
const FETCHES = Number(process.env.BENCH_PAGES_FETCHES ?? 20);
const WARMUP = 2;

type Page = { label: string; path: string; signedIn: boolean };
const PAGES: Page[] = [
  { label: "`/login` (baseline: the app's cheapest page)", path: "/login", signedIn: false },
  { label: "dashboard `/`", path: "/", signedIn: true },
  { label: "`/calendar` (first page)", path: "/calendar", signedIn: true },
  { label: "`/instances` (first page)", path: "/instances", signedIn: true },
];

type Sample = { p50: number; p95: number; bytes: number };

/** One run of a page: WARMUP untimed fetches, then FETCHES timed ones, each to the body's last byte. */
async function samplePage(stack: Stack, page: Page, cookie: string): Promise<Sample> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < WARMUP + FETCHES; i++) {
    const t = performance.now();
    const res = await fetch(`${stack.baseUrl}${page.path}`, { redirect: "manual", headers: page.signedIn ? { cookie } : {} });
    const body = await res.arrayBuffer();
    const ms = performance.now() - t;
    if (res.status !== 200) throw new Error(`${page.path} answered ${res.status}`);
    if (i >= WARMUP) times.push(ms);
    bytes = body.byteLength;
  }
  return { p50: median(times), p95: pct(times, 95), bytes };
}

/** RUNS runs of every page, interleaved so that the machine's load falls on all of them alike. */
async function measure(stack: Stack, cookie: string): Promise<Map<string, Sample[]>> {
  const out = new Map<string, Sample[]>(PAGES.map((p) => [p.path, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const page of PAGES) {
      const s = await samplePage(stack, page, cookie);
      out.get(page.path)?.push(s);
      log(`run ${r + 1}: ${page.path} p50 ${s.p50.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms, ${s.bytes} bytes`);
    }
  }
  return out;
}

const kb = (xs: Sample[]) => `${(median(xs.map((s) => s.bytes)) / 1024).toFixed(0)} KiB`;

function rows(small: Map<string, Sample[]>, big: Map<string, Sample[]>): string {
  return PAGES.map((p) => {
    const s = small.get(p.path) ?? [];
    const b = big.get(p.path) ?? [];
    return `| ${p.label} | ${triple(s.map((x) => x.p50))} | ${kb(s)} | ${triple(b.map((x) => x.p50))} | ${triple(b.map((x) => x.p95))} | ${kb(b)} |`;
  }).join("\n");
}

export const pagesBench: Bench = {
  name: "pages",
  needsServer: true,
  async run(stack) {
    const signIn = await signInAt(stack.baseUrl, EMAILS.superadmin, stack.password);
    if (!signIn.ok) throw new Error(`The pages bench could not sign in: ${signIn.error}`);
    const ownerUrl = stack.env.TEST_OWNER_DATABASE_URL ?? "";
    await deleteBigFleet(stack.databaseUrl);
    log(`seeded fleet: ${PAGES.length} pages × ${FETCHES} fetches × ${RUNS} runs`);
    const loadBefore = loadavg()[0] ?? 0;
    const small = await measure(stack, signIn.cookie);
    const t = performance.now();
    const fleet = await provisionBigFleet(stack.databaseUrl, { instances: INSTANCES });
    await analyzeTables(ownerUrl);
    const provisionMs = performance.now() - t;
    log(`provisioned ${fleet.instances} instances, ${fleet.runs} runs, ${fleet.windows} windows, ${fleet.freezes} freezes in ${(provisionMs / 1000).toFixed(1)} s`);
    let big: Map<string, Sample[]>;
    try {
      big = await measure(stack, signIn.cookie);
    } finally {
      const removed = await deleteBigFleet(stack.databaseUrl);
      await analyzeTables(ownerUrl);
      const left = Object.entries(await countBigFleetRows(stack.databaseUrl)).filter(([, n]) => n > 0);
      if (left.length > 0) throw new Error(`The big fleet left rows behind: ${left.map(([t, n]) => `${n} in ${t}`).join(", ")}.`);
      log(`removed the ${removed} provisioned instances and all their rows`);
    }
    const load = `${loadBefore.toFixed(1)} at the start and ${(loadavg()[0] ?? 0).toFixed(1)} at the end`;
    return `## P5: page HTML at fleet scale

Each page's full HTML (time to the last byte of the body, as a superadmin with a session cookie),
fetched ${FETCHES} times per run after ${WARMUP} untimed fetches, sequentially, from one web
process. p50 and p95 are of those fetches; the cells give min / median / max of them over ${RUNS} runs.
First on the seeded fleet (3 instances, a handful of runs), then on a big fleet written with SQL
(\`scripts/bench/big-fleet.ts\`, ${(provisionMs / 1000).toFixed(1)} s): ${fleet.instances} instances
(channels, pins, five time zones, ${fleet.windows} maintenance windows, ${fleet.freezes} freezes) and
${fleet.runs} runs over six months (80% succeeded, 9% failed, 5% rolled back with their rollback
run, 3% cancelled, 3% rejected, and ${Math.floor(fleet.instances / 20)} active), deleted again at the end.

**Baselines**, both measured in the same run: the same pages on the seeded fleet (the same code and
queries with almost no rows: what the page costs apart from the fleet's size), and \`/login\`, the
app's cheapest page (the fixed cost of a page request: proxy, CSP nonce, layout, React render).

| page | seeded fleet p50 | size | ${fleet.instances} instances p50 | p95 | size |
|---|---|---|---|---|---|
${rows(small, big)}

Goal (issue 8, P5): each page under 300 ms at 1,000 instances and 21k runs, the calendar's first
page (it is paged, 25 instances a page; the instance list 50). Measured before: in the issue,
dashboard 983 ms, calendar 8.1 s and 10.4 MB, instances 359 ms. This bench's first run, before
paging and the indexes (2026-12-02, 10 fetches per run): dashboard p50 1,920 / 1,964 / 1,998 ms
(p95 2,338), calendar 8,418 / 11,672 / 13,520 ms (p95 13,963) and 11,999 KiB, instances
631 / 742 / 1,205 ms (p95 1,229) and 1,270 KiB. On main at 219130d (paged lists, the indexes,
grouped dashboard counts), run just before the figures above on the same quiet machine (load
average about 2; 2026-12-02, 20 fetches per run): dashboard p50 34 / 41 / 49 ms (p95 64 / 66 / 75),
calendar 45 / 55 / 63 ms (p95 68 / 84 / 133) and 319 KiB, instances 24 / 24 / 25 ms
(p95 40 / 41 / 58) and 81 KiB; \`/login\` 9 / 12 / 12 ms.
Since then: the calendar's cells go to the browser once as compact data (each reason once) and a
client component renders them, each instance's next window is read once rather than per cell,
and its freezes come with the instances; the dashboard's rates take two statements a period
instead of four, beside its daily series; the layout and the page share one read of the user;
the instance list hands the browser only the fields it shows. The machine is shared (load average
${load} on 2 cores).`;
  },
};
