// The run lifecycle as data: what each status means, and which actions a run in it allows. The
// server's actions, the API (through them) and the run page all ask `allowedActions`, so the
// rules live here once. Client-safe: no database, no server-only imports.
import type { InstanceStatus, RunKind, UpgradeStatus } from "@/generated/prisma/enums";
import { POINT_OF_NO_RETURN } from "@/lib/upgrades/runbook";

type StatusInfo = {
  /** The run is over: nothing moves it any more. */
  terminal: boolean;
  /** Something is happening or awaited now: the run page keeps its clock running. */
  live: boolean;
  /** An upgrade in it may still be cancelled, as long as `migrate` has not started. */
  cancellable: boolean;
  /** An upgrade in it may be rolled back, once `migrate` has started. */
  rollbackable: boolean;
};

export const RUN_STATUS_INFO: Record<UpgradeStatus, StatusInfo> = {
  pending_approval: { terminal: false, live: true, cancellable: true, rollbackable: false },
  approved: { terminal: false, live: false, cancellable: true, rollbackable: false },
  scheduled: { terminal: false, live: false, cancellable: true, rollbackable: false },
  running: { terminal: false, live: true, cancellable: true, rollbackable: false },
  awaiting_checklist: { terminal: false, live: true, cancellable: true, rollbackable: false },
  monitoring: { terminal: false, live: true, cancellable: false, rollbackable: true },
  rolling_back: { terminal: false, live: true, cancellable: false, rollbackable: false },
  succeeded: { terminal: true, live: false, cancellable: false, rollbackable: true },
  failed: { terminal: true, live: false, cancellable: false, rollbackable: true },
  rolled_back: { terminal: true, live: false, cancellable: false, rollbackable: false },
  rejected: { terminal: true, live: false, cancellable: false, rollbackable: false },
  cancelled: { terminal: true, live: false, cancellable: false, rollbackable: false },
};

const statuses = (pick: (i: StatusInfo) => boolean) => (Object.keys(RUN_STATUS_INFO) as UpgradeStatus[]).filter((s) => pick(RUN_STATUS_INFO[s]));

/** The statuses a run ends in. */
export const TERMINAL_STATUSES: readonly UpgradeStatus[] = statuses((i) => i.terminal);

export const isTerminal = (status: UpgradeStatus): boolean => RUN_STATUS_INFO[status].terminal;
export const isLive = (status: UpgradeStatus): boolean => RUN_STATUS_INFO[status].live;

/** "awaiting_checklist" → "awaiting checklist", as messages write a status. */
export const statusText = (status: UpgradeStatus): string => status.replace("_", " ");

export type RunAction = "cancel" | "rollback" | "approve" | "reject" | "checklist";
/** Refused with the reason; `forbidden` when the state allows it but not for this viewer. */
export type Allowed = { ok: true } | { ok: false; reason: string; code: "conflict" | "forbidden" };

/** What `allowedActions` needs of a run: the server's row and the page's view both have it. */
export type RunState = {
  kind: RunKind;
  status: UpgradeStatus;
  steps: readonly { key: string; status: string }[];
  cancelRequested: boolean;
};

const yes: Allowed = { ok: true };
const no = (reason: string, code: "conflict" | "forbidden" = "conflict"): Allowed => ({ ok: false, reason, code });

/** Whether the point of no return (`migrate`) has started: before it a cancel, after it a rollback. */
export function pastPointOfNoReturn(run: Pick<RunState, "steps">): boolean {
  const migrate = run.steps.find((s) => s.key === POINT_OF_NO_RETURN);
  return migrate !== undefined && migrate.status !== "pending";
}

/**
 * Which actions the run allows now, each with the reason when it does not. Who may take them is the
 * permissions' business (lib/auth); `viewer.isRequester` adds the four-eyes rule for decisions. The
 * server checks what it alone can see (another active run, a later upgrade) on top.
 */
export function allowedActions(run: RunState, viewer: { isRequester?: boolean } = {}): Record<RunAction, Allowed> {
  const info = RUN_STATUS_INFO[run.status];
  const past = pastPointOfNoReturn(run);
  const upgrade = run.kind === "upgrade";
  const deciding = run.status === "pending_approval";
  return {
    cancel: !upgrade
      ? no("A rollback cannot be cancelled.")
      : past
        ? no("The upgrade has reached the database migration; roll it back instead of cancelling.")
        : !info.cancellable
          ? no(`An upgrade that is ${statusText(run.status)} cannot be cancelled.`)
          : run.cancelRequested
            ? no("A cancel has already been requested.")
            : yes,
    rollback: !upgrade
      ? no("Only an upgrade can be rolled back.")
      : !past
        ? no("Nothing to roll back yet: the upgrade has not touched the database. Cancel it instead.")
        : !info.rollbackable
          ? no(`An upgrade that is ${statusText(run.status)} cannot be rolled back now.`)
          : yes,
    approve: !deciding
      ? no(`The upgrade is ${statusText(run.status)}, not waiting for approval.`)
      : viewer.isRequester
        ? no("You requested this upgrade; someone else must approve it.", "forbidden")
        : yes,
    reject: !deciding
      ? no(`The upgrade is ${statusText(run.status)}, not waiting for approval.`)
      : viewer.isRequester
        ? no("You requested this upgrade; cancel it instead.", "forbidden")
        : yes,
    checklist: !upgrade ? no("Only upgrades have a checklist.") : info.terminal ? no(`The upgrade has ended (${run.status}).`) : yes,
  };
}

const ALL_STATUSES = Object.keys(RUN_STATUS_INFO) as UpgradeStatus[];
const NOT_ENDED = statuses((i) => !i.terminal);

/**
 * Every status change a run makes, by name: the statuses it leaves from and the one it goes to.
 * `applyTransition` (lib/upgrades/engine/transitions.ts) is the only writer of a run's status, and
 * takes one of these; a move from any other status is refused (it answers false).
 */
export const RUN_TRANSITIONS = {
  // Decisions and starts.
  approve: { from: ["pending_approval"], to: "running" },
  approve_for_later: { from: ["pending_approval"], to: "scheduled" },
  reject: { from: ["pending_approval"], to: "rejected" },
  start_when_due: { from: ["scheduled"], to: "running" },
  start_next_hop: { from: ["scheduled"], to: "running" },
  cancel_unstarted: { from: ["pending_approval", "approved", "scheduled"], to: "cancelled" },
  cancel_later_hop: { from: ["scheduled"], to: "cancelled" },
  // The checklist gate before maintenance_on.
  wait_for_checklist: { from: ["running"], to: "awaiting_checklist" },
  checklist_complete: { from: ["awaiting_checklist"], to: "running" },
  /** A cancel while the checklist waits: the run goes back to the worker, which undoes and ends it. */
  cancel_while_waiting: { from: ["awaiting_checklist"], to: "running" },
  // The end of an upgrade's steps.
  begin_monitoring: { from: ["running"], to: "monitoring" },
  succeed: { from: ["running", "monitoring"], to: "succeeded" },
  fail_before_migrate: { from: ["running", "awaiting_checklist"], to: "failed" },
  cancel_before_migrate: { from: ["running", "awaiting_checklist"], to: "cancelled" },
  fail: { from: ["running"], to: "failed" },
  // Rollbacks: the upgrade waits as rolling_back while its rollback run works.
  roll_back_automatically: { from: ["running"], to: "rolling_back" },
  roll_back_on_breach: { from: ["monitoring"], to: "rolling_back" },
  roll_back_on_request: { from: ["failed", "monitoring", "succeeded"], to: "rolling_back" },
  roll_back_in_emergency: { from: ALL_STATUSES.filter((s) => s !== "rolling_back" && s !== "rolled_back"), to: "rolling_back" },
  superseded_by_emergency: { from: NOT_ENDED, to: "failed" },
  superseded_by_emergency_rollback_of_itself: { from: NOT_ENDED, to: "rolling_back" },
  rolled_back: { from: ["rolling_back", "failed", "monitoring", "succeeded", "running"], to: "rolled_back" },
  rollback_failed: { from: ["rolling_back"], to: "failed" },
} as const satisfies Record<string, { from: readonly UpgradeStatus[]; to: UpgradeStatus }>;

export type RunTransition = keyof typeof RUN_TRANSITIONS;

export type InstanceChange = {
  /** The instance's status afterwards; with `from`, only when it was in one of those. */
  to: InstanceStatus;
  from?: readonly InstanceStatus[];
  /** Maintenance mode switched on (with the caller's message, when it gives one) or off. */
  maintenance?: "on" | "off";
  /** The instance now runs the caller's version. */
  setsVersion?: boolean;
  /** A reason it needed attention is cleared. */
  clearsAttention?: boolean;
};

/**
 * Everything that moves an instance's status, by name. `applyInstanceChange`
 * (lib/instances/apply-instance-change.ts) is the only writer of `instances.status`, always in the
 * caller's transaction.
 */
export const INSTANCE_CHANGES = {
  /** An upgrade's preparation starts. */
  upgrade_begins: { from: ["active"], to: "upgrading" },
  upgrade_enters_maintenance: { to: "upgrading", maintenance: "on" },
  /** A rollback run is created (also an emergency one). */
  rollback_begins: { to: "rolling_back" },
  rollback_enters_maintenance: { to: "rolling_back", maintenance: "on" },
  /** The last step of an upgrade or a rollback that touches the platform: it serves again. */
  leaves_maintenance: { to: "active", maintenance: "off", setsVersion: true },
  /** An upgrade or rollback run succeeded. */
  run_succeeded: { to: "active", setsVersion: true, clearsAttention: true },
  run_failed: { to: "failed" },
  /** An upgrade ended before migrate and its undo went through. */
  undone_before_migrate: { to: "active", maintenance: "off" },
  /** An upgrade ended before migrate but its undo did not go through: stays in maintenance. */
  left_in_maintenance: { to: "maintenance", maintenance: "on" },
  /** An upgrade ended before migrate, its undo failed, and maintenance had not started. */
  left_active: { to: "active", maintenance: "off" },
  /** An operator switches maintenance mode by hand. */
  operator_maintenance_on: { to: "maintenance", maintenance: "on", clearsAttention: true },
  operator_maintenance_off: { from: ["maintenance"], to: "active", maintenance: "off", clearsAttention: true },
  /** At start-up: an instance that failed to start, and one that started again. */
  start_up_failed: { to: "failed" },
  start_up_restored: { from: ["failed"], to: "active", clearsAttention: true },
} as const satisfies Record<string, InstanceChange>;

export type InstanceChangeName = keyof typeof INSTANCE_CHANGES;
