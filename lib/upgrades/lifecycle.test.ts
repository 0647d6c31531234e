// The lifecycle's action rules, status by status: what the server refuses and the run page hides.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { UpgradeStatus } from "@/generated/prisma/enums";
import { allowedActions, isTerminal, RUN_STATUS_INFO, TERMINAL_STATUSES, type RunState } from "@/lib/upgrades/lifecycle";
import { UPGRADE_STEPS } from "@/lib/upgrades/runbook";

const ALL = Object.keys(RUN_STATUS_INFO) as UpgradeStatus[];
const steps = (migrate: "pending" | "running" | "succeeded") => UPGRADE_STEPS.map(({ key }) => ({ key, status: key === "migrate" ? migrate : "pending" }));
const run = (status: UpgradeStatus, over: Partial<RunState> = {}): RunState => ({ kind: "upgrade", status, steps: steps("pending"), cancelRequested: false, ...over });
const okOf = (status: UpgradeStatus, action: keyof ReturnType<typeof allowedActions>, over: Partial<RunState> = {}) => allowedActions(run(status, over))[action].ok;

describe("the run lifecycle", () => {
  it("ends in exactly five statuses", () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(["cancelled", "failed", "rejected", "rolled_back", "succeeded"]);
    expect(ALL.filter(isTerminal)).toEqual([...TERMINAL_STATUSES]);
  });

  it("cancels an upgrade before migrate, in the statuses that have not ended or reached monitoring", () => {
    expect(ALL.filter((s) => okOf(s, "cancel"))).toEqual(["pending_approval", "approved", "scheduled", "running", "awaiting_checklist"]);
    expect(okOf("running", "cancel", { steps: steps("running") })).toBe(false);
    expect(okOf("running", "cancel", { cancelRequested: true })).toBe(false);
    expect(okOf("running", "cancel", { kind: "rollback" })).toBe(false);
  });

  it("rolls back an upgrade once migrate has started, when it failed, succeeded or is being monitored", () => {
    expect(ALL.filter((s) => okOf(s, "rollback", { steps: steps("succeeded") }))).toEqual(["monitoring", "succeeded", "failed"]);
    expect(ALL.filter((s) => okOf(s, "rollback"))).toEqual([]);
    const refused = allowedActions(run("failed", { steps: steps("pending") })).rollback;
    expect(refused).toEqual({ ok: false, code: "conflict", reason: "Nothing to roll back yet: the upgrade has not touched the database. Cancel it instead." });
    expect(okOf("failed", "rollback", { kind: "emergency_rollback", steps: steps("succeeded") })).toBe(false);
  });

  it("decides only on a run waiting for approval, and never by its requester", () => {
    expect(ALL.filter((s) => okOf(s, "approve"))).toEqual(["pending_approval"]);
    expect(ALL.filter((s) => okOf(s, "reject"))).toEqual(["pending_approval"]);
    const mine = allowedActions(run("pending_approval"), { isRequester: true });
    expect(mine.approve).toMatchObject({ ok: false, code: "forbidden" });
    expect(mine.reject).toMatchObject({ ok: false, code: "forbidden" });
  });

  it("changes the checklist of an upgrade that has not ended", () => {
    expect(ALL.filter((s) => okOf(s, "checklist"))).toEqual(ALL.filter((s) => !isTerminal(s)));
    expect(okOf("running", "checklist", { kind: "rollback" })).toBe(false);
  });

  it("is the table docs/architecture.md shows", () => {
    const doc = readFileSync("docs/architecture.md", "utf8");
    const rows = Object.fromEntries(
      [...doc.matchAll(/^\| (\w+) \|((?: ?(?:yes)? ?\|){4})$/gm)].map((m) => [m[1], m[2]!.split("|").slice(0, 4).map((c) => c.trim() === "yes")]),
    );
    const expected = Object.fromEntries(ALL.map((s) => [s, [RUN_STATUS_INFO[s].terminal, RUN_STATUS_INFO[s].live, RUN_STATUS_INFO[s].cancellable, RUN_STATUS_INFO[s].rollbackable]]));
    expect(rows).toEqual(expected);
  });
});
