// Which releases an instance may move to, and the path of hops to get there. Pure functions.
// (The full channel policy with windows, security overrides and auto-update grows from here.)
import { compareVersions } from "@/lib/versions";

export type PolicyRelease = { version: string; status: string; breaking: boolean; security: boolean; critical: boolean; minUpgradeFrom: string | null };
export type PolicyInstance = { version: string; updateChannel: "auto_update" | "manual_approval" | "frozen"; pinnedVersion: string | null };

export type UpgradeDecision =
  | { eligible: true; needsApproval: boolean; urgent: boolean; path: string[]; reason: string }
  | { eligible: false; reason: string };

/** Versions to pass through, in order, ending with the target; null when no path exists. */
export function planPath(current: string, target: string, releases: PolicyRelease[]): string[] | null {
  const byVersion = new Map(releases.map((r) => [r.version, r]));
  const t = byVersion.get(target);
  if (!t || compareVersions(target, current) <= 0) return null;
  if (!t.minUpgradeFrom || compareVersions(current, t.minUpgradeFrom) >= 0) return [target];
  // Hop through the newest stable release that the target accepts and that we can reach.
  const stepping = releases
    .filter((r) => r.status === "stable" && compareVersions(r.version, t.minUpgradeFrom ?? "0.0.0") >= 0 && compareVersions(r.version, target) < 0 && compareVersions(r.version, current) > 0)
    .sort((a, b) => compareVersions(b.version, a.version));
  for (const s of stepping) {
    const head = planPath(current, s.version, releases);
    if (head) return [...head, target];
  }
  return null;
}

export function decideUpgrade(instance: PolicyInstance, target: string, releases: PolicyRelease[]): UpgradeDecision {
  const release = releases.find((r) => r.version === target);
  if (!release) return { eligible: false, reason: `${target} is not a known release.` };
  if (release.status === "deprecated") return { eligible: false, reason: `${target} is deprecated.` };
  if (compareVersions(target, instance.version) <= 0) return { eligible: false, reason: `The instance already runs ${instance.version}; ${target} is not newer.` };
  if (instance.pinnedVersion && instance.pinnedVersion !== target) return { eligible: false, reason: `The instance is pinned to ${instance.pinnedVersion}; only that version is eligible.` };
  if (instance.updateChannel === "frozen") return { eligible: false, reason: "The instance's channel is frozen: no updates except a critical security patch with a superadmin override." };
  const path = planPath(instance.version, target, releases);
  if (!path) return { eligible: false, reason: `No upgrade path from ${instance.version} to ${target}: ${target} upgrades from ${release.minUpgradeFrom} or later.` };
  const needsApproval = instance.updateChannel === "manual_approval" || release.breaking;
  const reason =
    instance.updateChannel === "manual_approval"
      ? "The manual-approval channel needs an approval for every upgrade."
      : release.breaking
        ? "A breaking release needs explicit approval on the auto-update channel."
        : "Eligible on the auto-update channel.";
  return { eligible: true, needsApproval, urgent: release.security, path, reason };
}
