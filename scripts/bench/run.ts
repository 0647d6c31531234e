// `npm run bench [-- --only upgrade,sse,…]`: measures the console on this machine with a real stack
// (scripts/lib/stack.ts), each figure next to a baseline measured in the same run, and writes each
// bench's section of docs/benchmarks.md (the others are kept). Nothing here asserts.
import path from "node:path";
import { startStack, type Stack } from "../lib/stack";
import { log, root, writeSection, type Bench } from "./lib";
import { upgradeBench } from "./upgrade";
import { sseBench } from "./sse";
import { apiLoadBench } from "./api-load";
import { pagesBench } from "./pages";
import { auditBench } from "./audit";
import { scanBench } from "./scan";

// pages and scan first: they provision (and remove) a big fleet before any bench has started a
// worker, which would otherwise pick up the jobs of the runs the scan starts.
const BENCHES: Bench[] = [pagesBench, scanBench, upgradeBench, sseBench, apiLoadBench, auditBench];

function selected(argv: string[]): Bench[] {
  const i = argv.indexOf("--only");
  const raw = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
  if (raw === undefined) return BENCHES;
  const names = raw.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length > 0 || names.length === 0) {
    console.error(`Unknown bench ${unknown.join(", ") || "(none given)"}; known: ${BENCHES.map((b) => b.name).join(", ")}.`);
    process.exit(2);
  }
  return BENCHES.filter((b) => names.includes(b.name));
}

const benches = selected(process.argv.slice(2));
const stack: Stack = await startStack({ root, work: path.join(root, ".bench-data"), name: "console_bench", extraEnv: { API_RATE_LIMIT: "1000000" }, log });
try {
  for (const b of benches) {
    log(`— ${b.name} —`);
    const section = await b.run(stack);
    writeSection(b.name, section);
    console.log(`\n${section}\n`);
  }
} finally {
  await stack.stop();
}
