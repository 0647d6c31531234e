import "server-only";
import type { Host, Instance, Release, ReleaseArtifact, UpgradeRun, UpgradeStep } from "@/generated/prisma/client";
import type { LoadedRuntime } from "@/lib/runtime/load-runtime";
import type { ReleaseArtifacts, StepLog } from "@/lib/runtime/types";
import type { InstanceChangeName } from "@/lib/upgrades/lifecycle";
import type { InstanceChangeDetails } from "@/lib/instances/apply-instance-change";

export type RunRow = UpgradeRun & { steps: UpgradeStep[]; instance: Instance & { host: Host | null } };
export type ReleaseRow = Release & { artifacts: ReleaseArtifact[] };

export type StepContext = {
  run: RunRow;
  step: UpgradeStep;
  loaded: LoadedRuntime;
  /** The release the run moves to, and the one it moves from. */
  target: ReleaseArtifacts;
  targetRelease: ReleaseRow;
  source: ReleaseArtifacts;
  sourceRelease: ReleaseRow;
  log: StepLog;
  /** Results of the run's finished steps, by key (a resumed run reads them instead of redoing). */
  results: Record<string, Record<string, unknown>>;
  signal: AbortSignal;
};

/** What a step returns: its result to keep, or a request to wait (monitoring window). */
export type StepOutcome = Record<string, unknown> | { waitUntil: Date; result: Record<string, unknown> } | void;

/** Where a step's result carries the instance change it implies (a symbol: not kept in the JSON). */
export const INSTANCE_CHANGE = Symbol("instance change");
export type StepInstanceChange = { name: InstanceChangeName; details?: InstanceChangeDetails };

/**
 * A step's result with the instance change it implies. Steps talk to the platform; the engine writes
 * the change with the step's outcome, in its lease-fenced transaction (step-writes.ts).
 */
export function withInstanceChange<T extends Record<string, unknown>>(result: T, name: InstanceChangeName, details?: InstanceChangeDetails): T {
  return Object.assign(result, { [INSTANCE_CHANGE]: { name, details } satisfies StepInstanceChange });
}

export function instanceChangeOf(result: Record<string, unknown>): StepInstanceChange | undefined {
  return (result as { [INSTANCE_CHANGE]?: StepInstanceChange })[INSTANCE_CHANGE];
}

/** A step failure with a runbook error code; the engine adds the matching troubleshooting hint. */
export class StepError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "StepError";
    this.code = code;
  }
}

export function errorCode(e: unknown): string {
  if (e && typeof e === "object" && "code" in e && typeof (e as { code: unknown }).code === "string") return (e as { code: string }).code;
  return "unexpected";
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      reject(new StepError("lease_lost", "The run's lease was lost; another worker continues it."));
    });
  });

/**
 * Before a side effect a step makes itself (a platform admin call, a config file, a restore):
 * refuse it when this execution no longer holds the run's lease (fencing, docs/architecture.md).
 */
export async function fence(ctx: Pick<StepContext, "loaded">, what: string): Promise<void> {
  await ctx.loaded.runtime.fence?.check(what);
}
