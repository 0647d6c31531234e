import { describe, expect, it } from "vitest";
import { evaluatePolicy, type PolicyDecision, type PolicyInput, type PolicyInstanceInput, type PolicyReleaseInput, type SecurityOverride } from "@/lib/channels/policy";
import { nextWindowStart, type FreezePeriod, type WeeklyWindow } from "@/lib/channels/windows";

const rel = (version: string, extra: Partial<PolicyReleaseInput> = {}): PolicyReleaseInput => ({
  version,
  status: "stable",
  breaking: false,
  security: false,
  critical: false,
  minUpgradeFrom: null,
  ...extra,
});

const CATALOGUE: PolicyReleaseInput[] = [
  rel("1.0.0"),
  rel("1.0.1", { security: true }),
  rel("1.1.0"),
  rel("1.2.0", { breaking: true }),
  rel("1.2.1", { breaking: true, security: true }),
  rel("1.3.0-beta.1", { status: "beta" }),
  rel("1.3.0", { security: true, critical: true }),
  rel("1.4.0", { status: "deprecated" }),
  rel("1.5.0"),
  rel("1.6.0", { critical: true }),
  rel("1.9.0", { status: "beta" }),
  rel("2.0.0", { breaking: true, minUpgradeFrom: "1.1.0" }),
  rel("2.1.0", { minUpgradeFrom: "2.0.0" }),
  rel("2.2.0", { security: true, critical: true, minUpgradeFrom: "2.0.0" }),
  rel("3.0.0", { security: true, critical: true, minUpgradeFrom: "2.5.0" }),
];

// Lagos is UTC+1 without DST: the Wednesday 22:00 window is 21:00Z-22:00Z.
const LAGOS_WED: WeeklyWindow = { dayOfWeek: 3, startMinute: 22 * 60, durationMinutes: 60 };
const MONDAY = "2026-03-02T10:00:00.000Z";
const NEXT_WINDOW = "2026-03-04T21:00:00.000Z";
const IN_WINDOW = "2026-03-04T21:30:00.000Z";
const FREEZE: FreezePeriod = { startsAt: new Date("2026-03-01T00:00:00Z"), endsAt: new Date("2026-03-03T00:00:00Z"), reason: "Quarter-end close" };
const FUTURE_FREEZE_OVER_WINDOW: FreezePeriod = { startsAt: new Date("2026-03-04T00:00:00Z"), endsAt: new Date("2026-03-05T00:00:00Z"), reason: "Election week" };
const LONG_FUTURE_FREEZE: FreezePeriod = { startsAt: new Date("2026-03-03T00:00:00Z"), endsAt: new Date("2026-06-01T00:00:00Z"), reason: "Migration" };

const SUPER: SecurityOverride = { byRole: "superadmin", reason: "CVE-2026-1234 is being exploited" };

type Row = {
  name: string;
  instance?: Partial<PolicyInstanceInput>;
  target: string;
  trigger?: "manual" | "auto";
  override?: SecurityOverride;
  now?: string;
  expected: Partial<Record<keyof Extract<PolicyDecision, { eligible: true }>, unknown>> & { eligible: boolean; code?: string };
};

function run(row: Omit<Row, "name" | "expected">): PolicyDecision {
  const release = CATALOGUE.find((r) => r.version === row.target) ?? rel(row.target);
  const input: PolicyInput = {
    instance: { version: "1.0.0", updateChannel: "auto_update", pinnedVersion: null, timezone: "Africa/Lagos", windows: [LAGOS_WED], freezes: [], ...row.instance },
    release,
    releases: CATALOGUE,
    now: new Date(row.now ?? MONDAY),
    trigger: row.trigger ?? "manual",
    ...(row.override ? { securityOverride: row.override } : {}),
  };
  return evaluatePolicy(input);
}

const at = (iso: string) => ({ kind: "window", at: new Date(iso) });
const NOW = { kind: "now" };
const NEVER = { kind: "never" };
const refused = (code: string) => ({ eligible: false, code });

const rows: Row[] = [
  // --- release and version checks ---
  { name: "deprecated release is refused", target: "1.4.0", expected: refused("deprecated") },
  { name: "deprecated is refused even on the pinned version", instance: { pinnedVersion: "1.4.0" }, target: "1.4.0", expected: refused("deprecated") },
  { name: "same version is not newer", instance: { version: "1.1.0" }, target: "1.1.0", expected: refused("not_newer") },
  { name: "older version is not newer", instance: { version: "1.2.0" }, target: "1.1.0", expected: refused("not_newer") },
  { name: "pre-release of the current version is not newer", instance: { version: "1.3.0" }, target: "1.3.0-beta.1", expected: refused("not_newer") },
  { name: "older version on frozen channel is not newer (before frozen)", instance: { version: "1.2.0", updateChannel: "frozen" }, target: "1.1.0", expected: refused("not_newer") },

  // --- pinning ---
  { name: "pinned: another version is refused", instance: { pinnedVersion: "1.1.0" }, target: "1.2.0", expected: refused("pinned") },
  { name: "pinned: a version below the pin is refused", instance: { pinnedVersion: "1.5.0" }, target: "1.1.0", expected: refused("pinned") },
  { name: "pinned: the pinned version is eligible", instance: { pinnedVersion: "1.1.0" }, target: "1.1.0", expected: { eligible: true, needsApproval: false, when: at(NEXT_WINDOW), path: ["1.1.0"] } },
  { name: "pin below current refuses everything", instance: { version: "1.2.0", pinnedVersion: "1.1.0" }, target: "1.5.0", expected: refused("pin_below_current") },
  { name: "pin equal to current refuses everything", instance: { version: "1.1.0", pinnedVersion: "1.1.0" }, target: "1.5.0", expected: refused("pin_below_current") },
  { name: "pin is not lifted by the security override", instance: { updateChannel: "frozen", pinnedVersion: "1.1.0" }, target: "1.3.0", override: SUPER, expected: refused("pinned") },
  { name: "pinned + frozen, pinned version without override is frozen", instance: { updateChannel: "frozen", pinnedVersion: "1.1.0" }, target: "1.1.0", expected: refused("frozen") },
  { name: "pinned + frozen, pinned critical patch with override runs", instance: { updateChannel: "frozen", pinnedVersion: "1.3.0" }, target: "1.3.0", override: SUPER, expected: { eligible: true, overrideUsed: true, when: NOW } },

  // --- stable only for the automatic trigger ---
  { name: "auto trigger: beta refused on auto-update", target: "1.3.0-beta.1", trigger: "auto", expected: refused("not_stable") },
  { name: "auto trigger: beta refused on manual-approval", instance: { updateChannel: "manual_approval" }, target: "1.3.0-beta.1", trigger: "auto", expected: refused("not_stable") },
  { name: "manual beta on auto-update follows window, no approval", target: "1.3.0-beta.1", expected: { eligible: true, needsApproval: false, urgent: false, when: at(NEXT_WINDOW) } },
  { name: "manual beta on manual-approval needs approval", instance: { updateChannel: "manual_approval" }, target: "1.3.0-beta.1", expected: { eligible: true, needsApproval: true } },

  // --- paths ---
  { name: "no path: minUpgradeFrom unreachable", instance: { version: "1.5.0" }, target: "3.0.0", expected: refused("no_path") },
  {
    name: "multi-hop through newest stable stepping stones (skips beta 1.9.0, deprecated 1.4.0)",
    target: "2.1.0",
    expected: { eligible: true, path: ["1.6.0", "2.0.0", "2.1.0"], needsApproval: true, when: at(NEXT_WINDOW) },
  },
  { name: "current at minUpgradeFrom: one hop", instance: { version: "1.1.0" }, target: "2.0.0", expected: { eligible: true, path: ["2.0.0"] } },
  { name: "current above minUpgradeFrom: one hop, no breaking hop", instance: { version: "2.0.0" }, target: "2.1.0", expected: { eligible: true, path: ["2.1.0"], needsApproval: false } },
  { name: "target missing from the catalogue still plans", target: "1.7.0", expected: { eligible: true, path: ["1.7.0"] } },

  // --- auto-update ---
  { name: "auto-update: non-breaking waits for the next window", target: "1.1.0", expected: { eligible: true, needsApproval: false, urgent: false, when: at(NEXT_WINDOW), overrideUsed: false } },
  { name: "auto-update: auto trigger waits for the next window", target: "1.1.0", trigger: "auto", expected: { eligible: true, needsApproval: false, when: at(NEXT_WINDOW) } },
  { name: "auto-update: inside an open window runs now", target: "1.1.0", now: IN_WINDOW, expected: { eligible: true, needsApproval: false, when: NOW } },
  { name: "auto-update: at window close waits a week", target: "1.1.0", now: "2026-03-04T22:00:00.000Z", expected: { eligible: true, when: at("2026-03-11T21:00:00.000Z") } },
  { name: "auto-update: no windows, manual runs now", instance: { windows: [] }, target: "1.1.0", expected: { eligible: true, needsApproval: false, when: NOW } },
  { name: "auto-update: no windows, auto never", instance: { windows: [] }, target: "1.1.0", trigger: "auto", expected: { eligible: true, needsApproval: false, when: NEVER } },
  { name: "auto-update: window inside a future freeze is skipped", instance: { freezes: [FUTURE_FREEZE_OVER_WINDOW] }, target: "1.1.0", expected: { eligible: true, when: at("2026-03-11T21:00:00.000Z") } },
  { name: "auto-update: every window frozen for 8 weeks: never", instance: { freezes: [LONG_FUTURE_FREEZE] }, target: "1.1.0", expected: { eligible: true, when: NEVER } },
  { name: "auto-update: security patch runs now, urgent", target: "1.0.1", expected: { eligible: true, needsApproval: false, urgent: true, when: NOW } },
  { name: "auto-update: security patch, auto trigger, runs now", target: "1.0.1", trigger: "auto", expected: { eligible: true, needsApproval: false, urgent: true, when: NOW } },
  { name: "auto-update: security patch with no windows, auto trigger, runs now", instance: { windows: [] }, target: "1.0.1", trigger: "auto", expected: { eligible: true, urgent: true, when: NOW } },
  { name: "auto-update: breaking needs approval, then the window", target: "1.2.0", expected: { eligible: true, needsApproval: true, urgent: false, when: at(NEXT_WINDOW) } },
  { name: "auto-update: breaking, auto trigger, needs approval", target: "1.2.0", trigger: "auto", expected: { eligible: true, needsApproval: true } },
  { name: "auto-update: breaking security needs approval, urgent, now", target: "1.2.1", expected: { eligible: true, needsApproval: true, urgent: true, when: NOW } },
  { name: "auto-update: critical security without freeze ignores an override", target: "1.3.0", override: SUPER, expected: { eligible: true, needsApproval: false, urgent: true, when: NOW, overrideUsed: false } },
  { name: "auto-update: an unneeded viewer override is ignored", target: "1.1.0", override: { byRole: "viewer", reason: "" }, expected: { eligible: true, overrideUsed: false } },

  // --- manual-approval ---
  { name: "manual-approval: stable needs approval, then waits for the next window", instance: { updateChannel: "manual_approval" }, target: "1.1.0", expected: { eligible: true, needsApproval: true, urgent: false, when: at(NEXT_WINDOW) } },
  { name: "manual-approval: inside an open window runs once approved", instance: { updateChannel: "manual_approval" }, target: "1.1.0", now: IN_WINDOW, expected: { eligible: true, needsApproval: true, when: NOW } },
  { name: "manual-approval: security runs as soon as approved, outside windows too", instance: { updateChannel: "manual_approval" }, target: "1.0.1", expected: { eligible: true, needsApproval: true, urgent: true, when: NOW } },
  { name: "manual-approval: every window frozen for 8 weeks: never", instance: { updateChannel: "manual_approval", freezes: [LONG_FUTURE_FREEZE] }, target: "1.1.0", expected: { eligible: true, needsApproval: true, when: NEVER } },
  { name: "manual-approval: security flagged urgent", instance: { updateChannel: "manual_approval" }, target: "1.0.1", expected: { eligible: true, needsApproval: true, urgent: true } },
  { name: "manual-approval: critical security still needs approval", instance: { updateChannel: "manual_approval" }, target: "1.3.0", expected: { eligible: true, needsApproval: true, urgent: true, overrideUsed: false } },
  { name: "manual-approval: auto trigger proposes for approval", instance: { updateChannel: "manual_approval" }, target: "1.1.0", trigger: "auto", expected: { eligible: true, needsApproval: true } },
  { name: "manual-approval: no windows, runs once approved", instance: { updateChannel: "manual_approval", windows: [] }, target: "1.1.0", trigger: "auto", expected: { eligible: true, needsApproval: true, when: NOW } },
  { name: "manual-approval: multi-hop path", instance: { updateChannel: "manual_approval" }, target: "2.1.0", expected: { eligible: true, needsApproval: true, path: ["1.6.0", "2.0.0", "2.1.0"] } },

  // --- frozen ---
  { name: "frozen: stable refused", instance: { updateChannel: "frozen" }, target: "1.1.0", expected: refused("frozen") },
  { name: "frozen: critical security without override refused", instance: { updateChannel: "frozen" }, target: "1.3.0", expected: refused("frozen") },
  { name: "frozen: security (not critical) override not applicable", instance: { updateChannel: "frozen" }, target: "1.0.1", override: SUPER, expected: refused("override_not_applicable") },
  { name: "frozen: critical (not security) override not applicable", instance: { updateChannel: "frozen" }, target: "1.6.0", override: SUPER, expected: refused("override_not_applicable") },
  { name: "frozen: override by approver forbidden", instance: { updateChannel: "frozen" }, target: "1.3.0", override: { ...SUPER, byRole: "approver" }, expected: refused("override_forbidden") },
  { name: "frozen: override by viewer forbidden", instance: { updateChannel: "frozen" }, target: "1.3.0", override: { ...SUPER, byRole: "viewer" }, expected: refused("override_forbidden") },
  { name: "frozen: override without reason", instance: { updateChannel: "frozen" }, target: "1.3.0", override: { byRole: "superadmin", reason: "" }, expected: refused("override_reason_required") },
  { name: "frozen: override reason of 9 characters", instance: { updateChannel: "frozen" }, target: "1.3.0", override: { byRole: "superadmin", reason: "123456789" }, expected: refused("override_reason_required") },
  { name: "frozen: override reason padded with spaces", instance: { updateChannel: "frozen" }, target: "1.3.0", override: { byRole: "superadmin", reason: "   short     " }, expected: refused("override_reason_required") },
  {
    name: "frozen: override reason of exactly 10 characters",
    instance: { updateChannel: "frozen" },
    target: "1.3.0",
    override: { byRole: "superadmin", reason: "1234567890" },
    expected: { eligible: true, needsApproval: false, urgent: true, when: NOW, overrideUsed: true, path: ["1.3.0"] },
  },
  { name: "frozen: valid override runs now outside any window", instance: { updateChannel: "frozen" }, target: "1.3.0", override: SUPER, expected: { eligible: true, needsApproval: false, urgent: true, when: NOW, overrideUsed: true } },
  { name: "frozen: valid override, auto trigger refused", instance: { updateChannel: "frozen" }, target: "1.3.0", override: SUPER, trigger: "auto", expected: refused("frozen") },
  { name: "frozen: valid override but no path", instance: { updateChannel: "frozen", version: "1.5.0" }, target: "3.0.0", override: SUPER, expected: refused("no_path") },
  { name: "frozen: valid override on a multi-hop path", instance: { updateChannel: "frozen" }, target: "2.2.0", override: SUPER, expected: { eligible: true, overrideUsed: true, path: ["1.6.0", "2.0.0", "2.1.0", "2.2.0"], needsApproval: false } },
  { name: "frozen: beta refused by auto trigger before the freeze check", instance: { updateChannel: "frozen" }, target: "1.3.0-beta.1", trigger: "auto", expected: refused("not_stable") },

  // --- freeze periods ---
  { name: "freeze: auto-update security patch refused", instance: { freezes: [FREEZE] }, target: "1.0.1", expected: refused("freeze") },
  { name: "freeze: auto-update stable refused even inside a window", instance: { freezes: [{ ...FREEZE, endsAt: new Date("2026-03-05T00:00:00Z") }] }, target: "1.1.0", now: IN_WINDOW, expected: refused("freeze") },
  { name: "freeze: manual-approval refused", instance: { updateChannel: "manual_approval", freezes: [FREEZE] }, target: "1.1.0", expected: refused("freeze") },
  { name: "freeze: starts inclusive", instance: { freezes: [{ ...FREEZE, startsAt: new Date(MONDAY) }] }, target: "1.0.1", expected: refused("freeze") },
  { name: "freeze: ends exclusive", instance: { freezes: [{ ...FREEZE, endsAt: new Date(MONDAY) }] }, target: "1.0.1", expected: { eligible: true, when: NOW } },
  { name: "freeze: critical security with superadmin override runs (auto-update)", instance: { freezes: [FREEZE] }, target: "1.3.0", override: SUPER, expected: { eligible: true, needsApproval: false, urgent: true, when: NOW, overrideUsed: true } },
  { name: "freeze: override lifts it on manual-approval too", instance: { updateChannel: "manual_approval", freezes: [FREEZE] }, target: "1.3.0", override: SUPER, expected: { eligible: true, needsApproval: false, overrideUsed: true } },
  { name: "freeze: override with auto trigger refused", instance: { freezes: [FREEZE] }, target: "1.3.0", override: SUPER, trigger: "auto", expected: refused("freeze") },
  { name: "freeze: approver override forbidden", instance: { freezes: [FREEZE] }, target: "1.3.0", override: { ...SUPER, byRole: "approver" }, expected: refused("override_forbidden") },
  { name: "freeze: override for a non-critical release not applicable", instance: { freezes: [FREEZE] }, target: "1.1.0", override: SUPER, expected: refused("override_not_applicable") },
  { name: "freeze + frozen channel: reported as frozen", instance: { updateChannel: "frozen", freezes: [FREEZE] }, target: "1.3.0", expected: refused("frozen") },
  { name: "freeze + frozen channel: one override lifts both", instance: { updateChannel: "frozen", freezes: [FREEZE] }, target: "1.3.0", override: SUPER, expected: { eligible: true, overrideUsed: true, when: NOW } },
];

describe("evaluatePolicy", () => {
  it.each(rows.map((r) => [r.name, r] as const))("%s", (_name, row) => {
    expect(run(row)).toMatchObject(row.expected);
  });

  it("every refusal and every decision gives a plain-English reason", () => {
    for (const row of rows) {
      const d = run(row);
      expect(d.reason).toMatch(/^[A-Z0-9].*\.$/s);
      expect(d.reason).not.toMatch(/_/);
      expect(d.reason).not.toMatch(/undefined|null|NaN/);
    }
  });

  it("explains the window in the instance's local time", () => {
    const d = run({ target: "1.1.0" });
    expect(d.reason).toBe("The update waits for the next maintenance window, at 2026-03-04 22:00 (Africa/Lagos).");
  });

  it("names the freeze, its end and its reason", () => {
    const d = run({ instance: { freezes: [FREEZE] }, target: "1.0.1" });
    expect(d).toEqual({ eligible: false, code: "freeze", reason: "A change freeze is in force until 2026-03-03 01:00 (Africa/Lagos): Quarter-end close." });
  });

  it("names the hops and the breaking one", () => {
    const d = run({ target: "2.1.0" });
    expect(d.reason).toContain("2.0.0 on the way is a breaking release");
    expect(d.reason).toContain("It goes through 1.6.0, 2.0.0 first.");
  });

  it("hints at the override when a critical patch meets the frozen channel", () => {
    const d = run({ instance: { updateChannel: "frozen" }, target: "1.3.0" });
    expect(d.reason).toContain("a superadmin may apply it with a security override");
  });

  it("records the override reason in the decision", () => {
    const d = run({ instance: { updateChannel: "frozen" }, target: "1.3.0", override: SUPER });
    expect(d.reason).toContain(SUPER.reason);
  });

  it("explains the minimum version when there is no path", () => {
    const d = run({ instance: { version: "1.5.0" }, target: "3.0.0" });
    expect(d.reason).toContain("3.0.0 can only be installed on 2.5.0 or later");
  });

  it.each([
    // London Sunday 01:30 for an hour: on the spring-forward Sunday 01:30 does not exist and the
    // window opens at 02:30 BST (01:30Z); a week later it opens at 01:30 BST (00:30Z).
    ["before spring-forward", "2026-03-28T12:00:00.000Z", at("2026-03-29T01:30:00.000Z")],
    ["inside the shifted window", "2026-03-29T02:00:00.000Z", NOW],
    ["after the shifted window", "2026-03-29T02:30:00.000Z", at("2026-04-05T00:30:00.000Z")],
  ])("London DST through the policy: %s", (_name, now, when) => {
    const d = run({ instance: { timezone: "Europe/London", windows: [{ dayOfWeek: 0, startMinute: 90, durationMinutes: 60 }] }, target: "1.1.0", now });
    expect(d).toMatchObject({ eligible: true, when });
  });

  it("decides the same with the instance's next window given as without it, for every case", () => {
    for (const row of rows) {
      const base = run(row);
      const probe = { ...row, instance: { ...row.instance } };
      const i = { version: "1.0.0", timezone: "Africa/Lagos", windows: [LAGOS_WED], freezes: [] as FreezePeriod[], ...row.instance };
      probe.instance.nextWindow = nextWindowStart(new Date(row.now ?? MONDAY), i.windows, i.timezone, i.freezes);
      expect(run(probe)).toEqual(base);
    }
  });

  it("uses the next window it is given instead of reading the windows again", () => {
    const given = new Date("2026-03-11T21:00:00.000Z");
    for (const instance of [{ nextWindow: given }, { updateChannel: "manual_approval" as const, nextWindow: given }]) {
      expect(run({ instance, target: "1.1.0", trigger: "auto" })).toMatchObject({ eligible: true, when: { kind: "window", at: given } });
    }
    expect(run({ instance: { nextWindow: null }, target: "1.1.0" })).toMatchObject({ eligible: true, when: NEVER });
  });

  it("is pure: same input, same output, input untouched", () => {
    const instance: PolicyInstanceInput = { version: "1.0.0", updateChannel: "auto_update", pinnedVersion: null, timezone: "Africa/Lagos", windows: [LAGOS_WED], freezes: [FREEZE] };
    const releases = CATALOGUE.map((r) => ({ ...r }));
    const snapshot = JSON.stringify({ instance, releases });
    const input: PolicyInput = { instance, release: rel("1.1.0"), releases, now: new Date("2026-03-03T00:00:00Z"), trigger: "auto" };
    expect(evaluatePolicy(input)).toEqual(evaluatePolicy(input));
    expect(JSON.stringify({ instance, releases })).toBe(snapshot);
  });
});
