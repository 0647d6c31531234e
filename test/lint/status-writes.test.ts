// The lifecycle's rule: a run's status is written by applyTransition alone (lib/upgrades/engine/
// transitions.ts), and an instance's by applyInstanceChange alone (lib/instances/
// apply-instance-change.ts), each from the lifecycle table. This reads the source as text and
// fails on any other Prisma update whose data sets `status` on either, and on any SQL UPDATE of it.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOTS = ["lib", "app", "components", "scripts", "worker"];
const WRITERS = { upgradeRun: { table: "upgrade_runs", file: "lib/upgrades/engine/transitions.ts" }, instance: { table: "instances", file: "lib/instances/apply-instance-change.ts" } } as const;
type Model = keyof typeof WRITERS;

function sourceFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sourceFiles(p);
    return /\.(ts|tsx|mjs)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** The text of the call starting at `open` (an opening parenthesis), to its matching close. */
function callText(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return text.slice(open, i + 1);
  }
  return text.slice(open);
}

/** Places in `text` that write the model's status: `<model>.update*({ … data: { … status … } })`, or SQL. */
function statusWrites(text: string, model: Model): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(new RegExp(`\\.${model}\\.(?:update|updateMany|upsert)\\(`, "g"))) {
    const call = callText(text, m.index + m[0].length - 1);
    const data = call.slice(call.search(/\b(?:data|update)\s*:/) + 1);
    if (call.search(/\b(?:data|update)\s*:/) >= 0 && /\bstatus\s*:/.test(data)) found.push(call.slice(0, 120));
  }
  // The SET list only: up to WHERE (or the statement's end).
  for (const m of text.matchAll(new RegExp(`UPDATE\\s+"?${WRITERS[model].table}"?\\s+SET\\b((?:(?!\\bWHERE\\b)[^;\`])*)`, "gi"))) if (/(?:^|[\s,"])status"?\s*=/i.test(m[1] ?? "")) found.push(m[0].slice(0, 120));
  return found;
}

const runStatusWrites = (text: string) => statusWrites(text, "upgradeRun");

describe("status writes", () => {
  it("the checker finds the shapes it looks for", () => {
    expect(runStatusWrites(`await tx.upgradeRun.update({ where: { id }, data: { cancelRequestedAt: new Date(), ...(x ? { status: "running" } : {}) } });`)).toHaveLength(1);
    expect(runStatusWrites(`db.upgradeRun.updateMany({ where: { id, status: "scheduled" }, data: { scheduledFor: later } })`)).toHaveLength(0);
    expect(runStatusWrites("await db.$executeRaw`UPDATE upgrade_runs SET lease_owner = NULL, status = 'failed' WHERE id = ${id}`")).toHaveLength(1);
    expect(runStatusWrites("UPDATE upgrade_runs SET lease_owner = NULL WHERE status = 'running'")).toHaveLength(0);
  });

  it("the checker tells the models apart", () => {
    expect(statusWrites(`tx.instance.update({ where: { id }, data: { status: "upgrading" } })`, "instance")).toHaveLength(1);
    expect(statusWrites(`tx.instance.update({ where: { id }, data: { status: "upgrading" } })`, "upgradeRun")).toHaveLength(0);
    expect(statusWrites("UPDATE instances SET status = 'failed' WHERE id = $1", "instance")).toHaveLength(1);
  });

  it.each(Object.keys(WRITERS) as Model[])("of %s are made by its one writer alone", (model) => {
    const offenders = ROOTS.flatMap(sourceFiles)
      .filter((f) => f !== WRITERS[model].file)
      .flatMap((f) => statusWrites(readFileSync(f, "utf8"), model).map((w) => `${f}: ${w}`));
    expect(offenders).toEqual([]);
  });
});
