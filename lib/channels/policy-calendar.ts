import "server-only";
import { getDb } from "@/lib/db";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { evaluatePolicy, type PolicyDecision, type PolicyInput } from "@/lib/channels/policy";
import { activeFreeze, nextWindowStart } from "@/lib/channels/windows";
import { channelFromDb, type ChannelName } from "@/lib/instances/channels";
import { compareVersions } from "@/lib/versions";
import { pageWindow, type PageInfo, type PageQuery } from "@/lib/pagination";
import { instanceNameFilter } from "@/lib/instances/get-instance";

export type CalendarOutcome = "now" | "window" | "approval" | "override_possible" | "frozen" | "never" | "blocked";

export type CalendarCell = { outcome: CalendarOutcome; at: string | null; urgent: boolean; reason: string };

export type CalendarRow = {
  instance: { id: string; name: string; version: string; channel: ChannelName; pinnedVersion: string | null; timezone: string };
  nextWindow: string | null;
  freeze: { reason: string; endsAt: string } | null;
  activeUpgradeId: string | null;
  /** One entry per pending release (newer than the instance, not deprecated). */
  cells: { version: string; request: CalendarCell; automatic: CalendarCell }[];
};

export type PolicyCalendar = {
  generatedAt: string;
  releases: { version: string; security: boolean; critical: boolean; breaking: boolean; status: string }[];
  /** One page of instances, by name. */
  rows: CalendarRow[];
  page: PageInfo;
};


/** Instances per calendar page unless asked: each row costs a policy evaluation per pending release and trigger. */
export const CALENDAR_PAGE_SIZE = 25;

/** A policy decision as one calendar cell: what would happen, when, and why. */
export function toCell(d: PolicyDecision, release: { security: boolean; critical: boolean }, trigger: "manual" | "auto"): CalendarCell {
  if (!d.eligible) {
    const blockedByFreeze = d.code === "frozen" || d.code === "freeze";
    // Only a person's request can use the security override; the worker never does.
    const overridable = trigger === "manual" && release.security && release.critical;
    const outcome: CalendarOutcome = blockedByFreeze ? (overridable ? "override_possible" : "frozen") : "blocked";
    return { outcome, at: null, urgent: false, reason: d.reason };
  }
  if (d.needsApproval) return { outcome: "approval", at: d.when.kind === "window" ? d.when.at.toISOString() : null, urgent: d.urgent, reason: d.reason };
  switch (d.when.kind) {
    case "now":
      return { outcome: "now", at: null, urgent: d.urgent, reason: d.reason };
    case "window":
      return { outcome: "window", at: d.when.at.toISOString(), urgent: d.urgent, reason: d.reason };
    case "never":
      return { outcome: "never", at: null, urgent: false, reason: d.reason };
  }
}

/**
 * For one page of instances (by name, optionally those whose name contains `q`) and every pending
 * release: what a request would do and what the auto-update worker would do, and when. The same
 * policy function decides both, so the calendar never disagrees with the engine. Each cell costs
 * two policy evaluations, so the calendar is paged: a fleet-wide one ran for seconds.
 */
export async function getPolicyCalendar(opts: { actor: Actor | null; query?: PageQuery; now?: Date }): Promise<PolicyCalendar> {
  requirePermission(opts.actor, "instance:read");
  const now = opts.now ?? new Date();
  const db = getDb();
  const where = instanceNameFilter(opts.query?.q);
  const { skip, take, info } = pageWindow(opts.query ?? {}, CALENDAR_PAGE_SIZE);
  const current = { endsAt: { gt: now } };
  const freezeColumns = { startsAt: true, endsAt: true, reason: true } as const;
  // Independent reads, side by side: each instance brings its own current freezes, the fleet-wide
  // ones come once, and only the columns the policy reads.
  const [releases, instances, total, fleetFreezes] = await Promise.all([
    db.release.findMany({ where: { type: "platform", status: { not: "deprecated" } } }),
    db.instance.findMany({
      where,
      select: {
        id: true,
        name: true,
        version: true,
        updateChannel: true,
        pinnedVersion: true,
        timezone: true,
        maintenanceWindows: { select: { dayOfWeek: true, startMinute: true, durationMinutes: true } },
        freezePeriods: { where: current, select: freezeColumns },
        activeRun: { select: { id: true } },
      },
      orderBy: { name: "asc" },
      skip,
      take,
    }),
    db.instance.count({ where }),
    db.freezePeriod.findMany({ where: { instanceId: null, ...current }, select: freezeColumns }),
  ]);
  const sorted = [...releases].sort((a, b) => compareVersions(a.version, b.version));
  const rows = instances.map((i): CalendarRow => {
    const own = [...fleetFreezes, ...i.freezePeriods];
    const freeze = activeFreeze(now, own);
    // Every cell of a row waits for the same window: read the windows once per instance, not per cell.
    const next = i.maintenanceWindows.length ? nextWindowStart(now, i.maintenanceWindows, i.timezone, own) : null;
    const policyInstance: PolicyInput["instance"] = { version: i.version, updateChannel: i.updateChannel, pinnedVersion: i.pinnedVersion, timezone: i.timezone, windows: i.maintenanceWindows, freezes: own, nextWindow: next };
    return {
      instance: { id: i.id, name: i.name, version: i.version, channel: channelFromDb(i.updateChannel), pinnedVersion: i.pinnedVersion, timezone: i.timezone },
      nextWindow: next?.toISOString() ?? null,
      freeze: freeze ? { reason: freeze.reason, endsAt: freeze.endsAt.toISOString() } : null,
      activeUpgradeId: i.activeRun?.id ?? null,
      cells: sorted
        .filter((r) => compareVersions(r.version, i.version) > 0)
        .map((release) => {
          const ask = (trigger: "manual" | "auto") => toCell(evaluatePolicy({ instance: policyInstance, release, releases, now, trigger }), release, trigger);
          return { version: release.version, request: ask("manual"), automatic: ask("auto") };
        }),
    };
  });
  return {
    generatedAt: now.toISOString(),
    releases: sorted.map((r) => ({ version: r.version, security: r.security, critical: r.critical, breaking: r.breaking, status: r.status })),
    rows,
    page: info(total),
  };
}
