// The channel policy as one pure function: for an instance, a release and a moment, may the release
// be installed, does it need approval, and when may it run. Rules: runbook "Update Channel
// Policies" and "Version Pinning", DESIGN.md "Channel policy".
//
// Decisions where the runbook is silent (each covered by policy.test.ts):
// - Checks run in this order, and the first that fails is the refusal: deprecated, not newer,
//   pin, not stable (automatic trigger), frozen channel / active freeze (and the security
//   override), upgrade path.
// - A pin is absolute: it is not lifted by the security override. To patch a pinned instance,
//   move the pin first (an audited change). A pin that is not newer than the current version
//   refuses every upgrade ("pin_below_current").
// - The automatic trigger only ever considers stable releases, on every channel. A manual request
//   may target a beta, and then follows the channel's approval and timing rules.
// - The security override (critical + security release, superadmin, reason of at least 10
//   characters) is only looked at when something would otherwise refuse: the frozen channel or an
//   active freeze period. It then lifts both, on any channel (an emergency patch must not be harder
//   to apply on an auto-update instance in a freeze than on a frozen one). It never applies to the
//   automatic trigger. Elsewhere it is ignored and `overrideUsed` is false.
// - auto-update timing: security patches run now (urgent). Other releases run in the next
//   maintenance window ("now" when one is open, skipping windows inside freezes). With no windows
//   at all, a manual request runs now, the automatic trigger never. When windows exist but none
//   opens unfrozen within the search horizon: never. Breaking releases (the target or any hop on the
//   path) need approval and keep the same timing, so `when` is the earliest the upgrade may run
//   once approved.
// - manual-approval timing: "now", meaning as soon as it is approved; the approver picks the
//   moment. Security patches are urgent.
// - An active freeze period refuses everything ("freeze") apart from the override; freezes in
//   the future only move the maintenance window on.
import { planPath } from "@/lib/channels/plan-upgrade";
import { activeFreeze, SEARCH_HORIZON_DAYS, type FreezePeriod, type WeeklyWindow } from "@/lib/channels/windows";
import { directWindows, type WindowAnswers } from "@/lib/channels/window-cache";
import { compareVersions } from "@/lib/versions";

export type UpdateChannel = "auto_update" | "manual_approval" | "frozen";
export type ReleaseStatus = "stable" | "beta" | "deprecated";

export type PolicyReleaseInput = {
  version: string;
  status: ReleaseStatus;
  breaking: boolean;
  security: boolean;
  critical: boolean;
  minUpgradeFrom: string | null;
};

export type PolicyInstanceInput = {
  version: string;
  updateChannel: UpdateChannel;
  pinnedVersion: string | null;
  /** IANA zone in which `windows` are read. */
  timezone: string;
  windows: WeeklyWindow[];
  freezes: FreezePeriod[];
};

export type SecurityOverride = { reason: string; byRole: "superadmin" | "approver" | "viewer" };

export type PolicyInput = {
  instance: PolicyInstanceInput;
  release: PolicyReleaseInput;
  /** The release catalogue, for stepping stones. The target is added if it is missing. */
  releases: PolicyReleaseInput[];
  now: Date;
  trigger: "manual" | "auto";
  securityOverride?: SecurityOverride;
  /** Where window questions go: a scan's cache (lib/channels/window-cache.ts); Intl by default. */
  windowAnswers?: WindowAnswers;
};

export type PolicyRefusalCode =
  | "deprecated"
  | "not_newer"
  | "pinned"
  | "pin_below_current"
  | "not_stable"
  | "frozen"
  | "freeze"
  | "override_not_applicable"
  | "override_forbidden"
  | "override_reason_required"
  | "no_path";

export type PolicyWhen = { kind: "now" } | { kind: "window"; at: Date } | { kind: "never" };

export type PolicyDecision =
  | { eligible: false; reason: string; code: PolicyRefusalCode }
  | { eligible: true; needsApproval: boolean; urgent: boolean; when: PolicyWhen; path: string[]; reason: string; overrideUsed: boolean };

export const OVERRIDE_REASON_MIN_LENGTH = 10;

function refuse(code: PolicyRefusalCode, reason: string): PolicyDecision {
  return { eligible: false, code, reason };
}

/** Checks the override; a refusal when it cannot be used, null when it can. */
function overrideRefusal(input: PolicyInput, blocked: { code: "frozen" | "freeze"; reason: string }): PolicyDecision | null {
  const { release, securityOverride, trigger } = input;
  const v = release.version;
  if (trigger === "auto") return refuse(blocked.code, `${blocked.reason} Automatic updates never use the security override.`);
  if (!securityOverride) {
    const hint = release.critical && release.security ? ` ${v} is a critical security patch: a superadmin may apply it with a security override and a reason.` : "";
    return refuse(blocked.code, `${blocked.reason}${hint}`);
  }
  if (!(release.critical && release.security)) {
    return refuse("override_not_applicable", `${blocked.reason} The security override only applies to releases that are both critical and security patches, and ${v} is not.`);
  }
  if (securityOverride.byRole !== "superadmin") return refuse("override_forbidden", `Only a superadmin may use the security override; the request came from someone with the ${securityOverride.byRole} role.`);
  if (securityOverride.reason.trim().length < OVERRIDE_REASON_MIN_LENGTH) {
    return refuse("override_reason_required", `The security override needs a reason of at least ${OVERRIDE_REASON_MIN_LENGTH} characters explaining why the patch cannot wait.`);
  }
  return null;
}

/** When the next maintenance window opens, for a run that waits for one. */
function nextWindow(input: PolicyInput): { when: PolicyWhen; text: string } {
  const { instance, now } = input;
  const { nextWindowStart, formatLocal } = input.windowAnswers ?? directWindows;
  const at = nextWindowStart(now, instance.windows, instance.timezone, instance.freezes);
  if (!at) return { when: { kind: "never" }, text: `no maintenance window opens outside a freeze in the next ${SEARCH_HORIZON_DAYS / 7} weeks, so it cannot be scheduled` };
  if (at.getTime() === now.getTime()) return { when: { kind: "now" }, text: "it runs now, inside the open maintenance window" };
  return { when: { kind: "window", at }, text: `it waits for the next maintenance window, at ${formatLocal(at, instance.timezone)}` };
}

export function evaluatePolicy(input: PolicyInput): PolicyDecision {
  const { instance, release, now, trigger } = input;
  const { nextWindowStart, formatLocal } = input.windowAnswers ?? directWindows;
  const v = release.version;
  const current = instance.version;

  if (release.status === "deprecated") return refuse("deprecated", `${v} is deprecated and can no longer be installed.`);
  if (compareVersions(v, current) <= 0) return refuse("not_newer", `The instance already runs ${current}; ${v} is not newer.`);

  const pin = instance.pinnedVersion;
  if (pin) {
    if (compareVersions(pin, current) <= 0) {
      return refuse("pin_below_current", `The instance is pinned to ${pin}, which is not newer than the ${current} it already runs, so no upgrade is allowed. Change or remove the pin first.`);
    }
    if (pin !== v) return refuse("pinned", `The instance is pinned to ${pin}; only that version may be installed, not ${v}.`);
  }

  if (trigger === "auto" && release.status !== "stable") return refuse("not_stable", `${v} is a ${release.status} release; automatic updates only install stable releases.`);

  // The frozen channel and freeze periods: nothing runs, apart from the security override.
  const freeze = activeFreeze(now, instance.freezes);
  let overrideUsed = false;
  if (instance.updateChannel === "frozen" || freeze) {
    const blocked =
      instance.updateChannel === "frozen"
        ? { code: "frozen" as const, reason: "The instance is on the frozen channel, so it receives no updates." }
        : { code: "freeze" as const, reason: `A change freeze is in force until ${formatLocal(freeze?.endsAt ?? now, instance.timezone)}: ${(freeze?.reason ?? "").trim().replace(/\.+$/, "")}.` };
    const refusal = overrideRefusal(input, blocked);
    if (refusal) return refusal;
    overrideUsed = true;
  }

  const catalogue = input.releases.some((r) => r.version === v) ? input.releases : [...input.releases, release];
  const path = planPath(current, v, catalogue);
  if (!path) {
    return refuse(
      "no_path",
      `There is no upgrade path from ${current} to ${v}: ${v} can only be installed on ${release.minUpgradeFrom ?? "a newer version"} or later, and no stable release in between leads there.`,
    );
  }
  const via = path.length > 1 ? ` It goes through ${path.slice(0, -1).join(", ")} first.` : "";

  if (overrideUsed) {
    return {
      eligible: true,
      needsApproval: false,
      urgent: true,
      when: { kind: "now" },
      path,
      overrideUsed: true,
      reason: `Critical security patch ${v} applied now under a superadmin security override (${input.securityOverride?.reason.trim() ?? ""}).${via}`,
    };
  }

  if (instance.updateChannel === "manual_approval") {
    const base = { eligible: true as const, needsApproval: true, path, overrideUsed: false };
    const ask = "The manual-approval channel needs an approval for every upgrade";
    if (release.security) {
      return { ...base, urgent: true, when: { kind: "now" }, reason: `${ask}; ${v} is a security patch, so it is flagged for urgent review and runs as soon as it is approved.${via}` };
    }
    if (instance.windows.length === 0) return { ...base, urgent: false, when: { kind: "now" }, reason: `${ask}; the instance has no maintenance window, so it runs once approved.${via}` };
    const w = nextWindow(input);
    return { ...base, urgent: false, when: w.when, reason: `${ask}; once approved, ${w.text}.${via}` };
  }

  // auto-update
  const byVersion = new Map(catalogue.map((r) => [r.version, r]));
  const breakingHop = path.find((p) => byVersion.get(p)?.breaking);
  const needsApproval = breakingHop !== undefined;
  const approval = needsApproval ? `${breakingHop === v ? v : `${breakingHop} on the way`} is a breaking release, so it needs explicit approval before it runs. ` : "";
  const base = { eligible: true as const, needsApproval, path, overrideUsed: false };

  if (release.security) {
    return { ...base, urgent: true, when: { kind: "now" }, reason: `${approval}${v} is a security patch: on the auto-update channel it is applied at once.${via}` };
  }
  if (instance.windows.length === 0) {
    return trigger === "manual"
      ? { ...base, urgent: false, when: { kind: "now" }, reason: `${approval}The instance has no maintenance window, so this manual request runs now.${via}` }
      : { ...base, urgent: false, when: { kind: "never" }, reason: `${approval}The instance has no maintenance window, so automatic updates never run; upgrade manually or add a window.${via}` };
  }
  const at = nextWindowStart(now, instance.windows, instance.timezone, instance.freezes);
  if (!at) {
    return { ...base, urgent: false, when: { kind: "never" }, reason: `${approval}No maintenance window opens outside a freeze in the next ${SEARCH_HORIZON_DAYS / 7} weeks, so the upgrade cannot be scheduled.${via}` };
  }
  if (at.getTime() === now.getTime()) {
    return { ...base, urgent: false, when: { kind: "now" }, reason: `${approval}A maintenance window is open now, so the update runs now.${via}` };
  }
  return { ...base, urgent: false, when: { kind: "window", at }, reason: `${approval}The update waits for the next maintenance window, at ${formatLocal(at, instance.timezone)}.${via}` };
}
