// Every error code the engine, the drivers and the backups can raise leads the operator to a
// runbook hint, in every step that can raise it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ALL_STEPS, hintFor } from "@/lib/upgrades/runbook";

const root = path.resolve(import.meta.dirname, "..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.ts$/.test(f) && !/\.test\.ts$/.test(f) ? [p] : [];
  });
}

// `lease_lost` is never shown: a lapsed execution writes nothing, the one that owns the run does.
const NEVER_SHOWN = new Set(["lease_lost"]);

const codesIn = (text: string) => [...new Set([...text.matchAll(/new (?:StepError|DriverError)\("([a-z_]+)"/g)].map((m) => m[1] ?? ""))].filter((c) => c && !NEVER_SHOWN.has(c));
const read = (dirs: string[]) => dirs.flatMap((d) => sources(path.join(root, d))).map((f) => readFileSync(f, "utf8")).join("\n");

// Drivers and the platform client can fail under any step that touches the instance.
const anywhere = codesIn(read(["runtime"]));
const raised = codesIn(read(["upgrades", "runtime", "backups"]));
// Each upgrade step's own function, by key: what it raises needs a hint of that step.
const perStep = readFileSync(path.join(root, "upgrades/engine/upgrade-steps.ts"), "utf8")
  .split(/\n  async (?=[a-z_]+\(ctx\))/)
  .slice(1)
  .map((block) => ({ key: block.slice(0, block.indexOf("(")), codes: codesIn(block) }));

describe("runbook hints", () => {
  it("finds the codes the code raises", () => {
    expect(raised).toContain("invalid_configuration");
    expect(perStep.map((s) => s.key)).toContain("pre_checks");
    expect(anywhere).toContain("unreachable");
  });

  it.each(anywhere)("%s (a driver error) has a hint in every step", (code) => {
    expect(ALL_STEPS.filter((s) => hintFor(s.key, code) === null).map((s) => s.key)).toEqual([]);
  });

  it.each(perStep.flatMap((s) => s.codes.map((c) => [s.key, c] as const)))("%s explains %s", (key, code) => {
    expect(hintFor(key, code)).not.toBeNull();
  });

  it.each(raised)("%s has a hint somewhere", (code) => {
    expect(ALL_STEPS.some((s) => hintFor(s.key, code) !== null)).toBe(true);
  });

  it("pre_checks explains an invalid configuration as the runbook does", () => {
    expect(hintFor("pre_checks", "invalid_configuration")).toBe("Invalid configuration: validate the configuration syntax.");
  });
});
