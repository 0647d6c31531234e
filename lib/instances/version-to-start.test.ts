// Which version the console starts for an instance when it starts: its own, or, while a run is
// executing on it, what the run's progress implies so the run resumes against the right one.
import { describe, expect, it } from "vitest";
import { versionToStart } from "@/lib/instances/provision-instance";
import type { RunKind, StepStatus, UpgradeStatus } from "@/generated/prisma/enums";

type Run = NonNullable<Parameters<typeof versionToStart>[0]["activeRun"]>;

function instance(run: { kind: RunKind; status: UpgradeStatus; steps: Record<string, StepStatus> } | null) {
  const activeRun = run ? ({ kind: run.kind, status: run.status, fromVersion: "1.0.0", toVersion: "1.1.0", steps: Object.entries(run.steps).map(([key, status]) => ({ key, status })) } as unknown as Run) : null;
  return { version: "1.0.0", activeRun };
}

describe("versionToStart", () => {
  it.each([
    ["no run", null, "1.0.0"],
    ["a monitoring run (holds the instance, runs nothing)", { kind: "upgrade", status: "monitoring", steps: { migrate: "succeeded", deploy: "succeeded" } }, "1.0.0"],
    ["an upgrade before migrate", { kind: "upgrade", status: "running", steps: { pre_checks: "running", migrate: "pending", deploy: "pending" } }, "1.0.0"],
    ["an upgrade between migrate and deploy", { kind: "upgrade", status: "running", steps: { migrate: "succeeded", deploy: "running" } }, null],
    ["an upgrade after deploy", { kind: "upgrade", status: "running", steps: { migrate: "succeeded", deploy: "succeeded", validate: "running" } }, "1.1.0"],
    ["a rollback before it redeploys", { kind: "rollback", status: "running", steps: { rb_stop_new: "running", rb_deploy_previous: "pending" } }, null],
    ["a rollback after it redeployed", { kind: "rollback", status: "running", steps: { rb_deploy_previous: "succeeded", rb_health: "running" } }, "1.1.0"],
    ["an emergency rollback after it redeployed", { kind: "emergency_rollback", status: "running", steps: { em_deploy_previous: "succeeded" } }, "1.1.0"],
  ] as const)("%s", (_what, run, expected) => {
    expect(versionToStart(instance(run as Parameters<typeof instance>[0]))).toBe(expected);
  });
});
