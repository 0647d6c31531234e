import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { actorUserId, requirePermission, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record-audit";
import { generateUrlToken, sha256Hex } from "@/lib/auth/tokens";
import { findStep } from "@/lib/upgrades/runbook";
import type { RunKind, UpgradeStatus } from "@/generated/prisma/enums";
import type { StillAllowed } from "@/lib/events/shared-recheck";
import type { StreamEvent } from "@/lib/events/run-feed";

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

/** A status link as the console lists it: the token itself is shown once, at creation (`url`). */
export type StatusPageLink = { id: string; prefix: string; createdAt: string; url?: string };

export function toStatusPageLink(row: { id: string; prefix: string; createdAt: Date }): StatusPageLink {
  return { id: row.id, prefix: row.prefix, createdAt: row.createdAt.toISOString() };
}

/** A stakeholder link for one run, or for an instance (it then follows the instance's latest run). */
export async function createStatusPage(opts: { actor: Actor | null; runId?: string; instanceId?: string }): Promise<StatusPageLink & { url: string }> {
  requirePermission(opts.actor, "upgrade:run");
  const { actor } = opts;
  if (!opts.runId === !opts.instanceId) throw new AppError("bad_request", "Give a run or an instance.");
  return getDb().$transaction(async (tx) => {
    const target = opts.runId
      ? await tx.upgradeRun.findUnique({ where: { id: opts.runId }, select: { id: true, instanceId: true } })
      : await tx.instance.findUnique({ where: { id: opts.instanceId }, select: { id: true } });
    if (!target) throw new AppError("not_found", opts.runId ? `No upgrade with id ${opts.runId}.` : `No instance with id ${opts.instanceId}.`);
    // Only the hash is stored, as for API tokens: a database read does not hand out live links.
    const token = generateUrlToken();
    const row = await tx.statusPageToken.create({ data: { tokenHash: sha256Hex(token), prefix: token.slice(0, 6), runId: opts.runId ?? null, instanceId: opts.instanceId ?? null, createdById: actorUserId(actor) } });
    await recordAudit(tx, actor, { action: "status_page.create", resourceType: opts.runId ? "upgrade" : "instance", resourceId: opts.runId ?? opts.instanceId ?? null, metadata: { statusPageId: row.id } });
    return { ...toStatusPageLink(row), url: `/status/${token}` };
  });
}

/** The newest status page of an instance (not of one run) that still works, if any. */
export async function findInstanceStatusPage(opts: { actor: Actor | null; instanceId: string }): Promise<StatusPageLink | null> {
  requirePermission(opts.actor, "instance:read");
  const row = await getDb().statusPageToken.findFirst({ where: { instanceId: opts.instanceId, runId: null, revokedAt: null }, orderBy: { createdAt: "desc" } });
  return row ? toStatusPageLink(row) : null;
}

/** The link's row while it works: known, not revoked, not expired. */
async function findActiveLink(token: string) {
  if (!TOKEN_RE.test(token)) return null;
  const page = await getDb().statusPageToken.findUnique({ where: { tokenHash: sha256Hex(token) } });
  if (!page || page.revokedAt || (page.expiresAt && page.expiresAt.getTime() < Date.now())) return null;
  return page;
}

/** Whether a status link still works; open streams ask this every few seconds. */
export async function isStatusLinkActive(token: string): Promise<boolean> {
  return (await findActiveLink(token)) !== null;
}

/** The re-check of a link's open streams: every stream of one link shares it. */
export function statusLinkStillAllowed(token: string): StillAllowed {
  return { key: `status-link:${sha256Hex(token)}`, check: () => isStatusLinkActive(token) };
}

/** The streams of one instance's link share one view (lib/events/snapshot-stream.ts). */
export function statusLinkViewKey(token: string): string {
  return `status-view:${sha256Hex(token)}`;
}

/** What an instance's status page shows, as a string that changes when the page would. */
export async function publicStatusFingerprint(token: string): Promise<string> {
  const now = await getPublicStatus(token);
  if (!now) return "gone";
  const { updatedAt: _at, ...shown } = now.status;
  return JSON.stringify(shown);
}

/** What a stakeholder's run stream sends of an event: only that the state changed. */
export function redactForStakeholders(e: StreamEvent): StreamEvent | null {
  return e.type === "run_status" || e.type === "step_status" ? { id: e.id, type: "change", stepKey: null, level: null, message: null, data: null, at: e.at } : null;
}

export async function revokeStatusPage(opts: { actor: Actor | null; id: string }) {
  requirePermission(opts.actor, "upgrade:run");
  await getDb().$transaction(async (tx) => {
    const n = await tx.statusPageToken.updateMany({ where: { id: opts.id, revokedAt: null }, data: { revokedAt: new Date() } });
    if (n.count === 0) throw new AppError("not_found", "No active status page with that id.");
    await recordAudit(tx, opts.actor, { action: "status_page.revoke", resourceType: "status_page", resourceId: opts.id, metadata: {} });
  });
}

export type PublicStep = { title: string; state: "done" | "in progress" | "waiting" | "not started" | "problem" | "skipped" | "stopped" };
export type PublicStatus = {
  instance: string;
  change: string;
  headline: string;
  state: PublicState;
  steps: PublicStep[];
  etaSeconds: number | null;
  maintenanceMessage: string | null;
  updatedAt: string;
};

export type PublicState = "scheduled" | "waiting for approval" | "in progress" | "completed" | "rolling back" | "rolled back" | "failed" | "rollback failed" | "cancelled" | "stopped" | "no upgrade";

// An upgrade's own status in plain words.
const UPGRADE_STATE: Record<UpgradeStatus, PublicState> = {
  pending_approval: "waiting for approval",
  approved: "scheduled",
  scheduled: "scheduled",
  running: "in progress",
  awaiting_checklist: "in progress",
  monitoring: "completed",
  succeeded: "completed",
  failed: "failed",
  rolling_back: "rolling back",
  rolled_back: "rolled back",
  rejected: "stopped",
  cancelled: "cancelled",
};

// A rollback's status says how the upgrade it undoes ended: its success is not the upgrade's.
const ROLLBACK_STATE: Record<UpgradeStatus, PublicState> = {
  pending_approval: "rolling back",
  approved: "rolling back",
  scheduled: "rolling back",
  running: "rolling back",
  awaiting_checklist: "rolling back",
  rolling_back: "rolling back",
  monitoring: "rolled back",
  succeeded: "rolled back",
  rolled_back: "rolled back",
  failed: "rollback failed",
  rejected: "rollback failed",
  cancelled: "rollback failed",
};

const HEADLINE: Record<PublicState, string> = {
  scheduled: "An upgrade is scheduled.",
  "waiting for approval": "An upgrade is planned and waiting for approval.",
  "in progress": "An upgrade is in progress.",
  completed: "The upgrade is complete. We are keeping an eye on things.",
  "rolling back": "The upgrade is being undone; the previous version is being restored.",
  "rolled back": "The upgrade was undone; the previous version is running.",
  failed: "The upgrade failed. The team is working on it.",
  "rollback failed": "The upgrade could not be undone automatically. The team is working on it.",
  cancelled: "The upgrade was cancelled; nothing changed.",
  stopped: "The upgrade did not go ahead; nothing changed.",
  "no upgrade": "No upgrade is planned.",
};

const ACTIVE: PublicState[] = ["in progress", "scheduled", "waiting for approval", "rolling back"];

/** The plain state of what a page shows: an upgrade by its status, a rollback by how the undoing went. */
export function publicState(run: { kind: RunKind; status: UpgradeStatus }): PublicState {
  return run.kind === "upgrade" ? UPGRADE_STATE[run.status] : ROLLBACK_STATE[run.status];
}

/** Learned step durations: the median of past runs of the same step, else the runbook's estimate. */
export async function learnedStepSeconds(keys: string[]): Promise<Map<string, number>> {
  const rows = await getDb().$queryRaw<{ key: string; seconds: number }[]>`
    SELECT key, percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at))::float8 AS seconds
    FROM upgrade_steps WHERE status = 'succeeded' AND key = ANY(${keys}) AND finished_at IS NOT NULL AND started_at IS NOT NULL
    GROUP BY key`;
  return new Map(rows.map((r) => [r.key, Number(r.seconds)]));
}

/**
 * What a stakeholder may see, and nothing else: no hosts, URLs, tokens, error texts or log lines.
 * Null for an unknown or revoked link (the page then says only that).
 */
/** `follows`: a run's page shows that run; an instance's page shows its latest run, whichever it is. */
export async function getPublicStatus(token: string): Promise<{ status: PublicStatus; runId: string | null; follows: "run" | "instance" } | null> {
  const page = await findActiveLink(token);
  if (!page) return null;
  const db = getDb();
  const instanceId = page.instanceId ?? (page.runId ? (await db.upgradeRun.findUnique({ where: { id: page.runId }, select: { instanceId: true } }))?.instanceId : null);
  if (!instanceId) return null;
  const runId = page.runId ?? (await db.upgradeRun.findFirst({ where: { instanceId }, orderBy: { createdAt: "desc" }, select: { id: true } }))?.id ?? null;
  const instance = await db.instance.findUnique({ where: { id: instanceId } });
  if (!instance) return null;
  if (!runId) {
    return { runId: null, follows: "instance", status: { instance: instance.name, change: `Version ${instance.version}`, headline: HEADLINE["no upgrade"], state: "no upgrade", steps: [], etaSeconds: null, maintenanceMessage: instance.maintenanceMode ? instance.maintenanceMessage : null, updatedAt: new Date().toISOString() } };
  }
  // An upgrade that is being or was rolled back shows its (latest) rollback: that says how it ended.
  const run = await db.upgradeRun.findUniqueOrThrow({ where: { id: runId }, include: { steps: { orderBy: { position: "asc" } }, childRuns: { orderBy: { createdAt: "desc" }, take: 1, include: { steps: { orderBy: { position: "asc" } } } } } });
  const shown = run.childRuns[0] ?? run;
  const learned = await learnedStepSeconds(shown.steps.map((s) => s.key));
  const now = Date.now();
  let eta = 0;
  const steps: PublicStep[] = shown.steps.map((s) => {
    const expected = learned.get(s.key) ?? s.expectedSeconds;
    if (s.status === "pending") eta += expected;
    if (s.status === "running" && s.startedAt) eta += Math.max(0, expected - (now - s.startedAt.getTime()) / 1000);
    const state: PublicStep["state"] = s.status === "succeeded" ? "done" : s.status === "running" ? "in progress" : s.status === "waiting" ? "waiting" : s.status === "failed" ? "problem" : s.status === "skipped" ? "skipped" : s.status === "interrupted" ? "stopped" : "not started";
    return { title: findStep(s.key)?.publicTitle ?? "Working", state };
  });
  const state = publicState(shown);
  const active = ACTIVE.includes(state);
  return {
    runId: shown.id,
    follows: page.runId ? "run" : "instance",
    status: {
      instance: instance.name,
      change: shown.kind === "upgrade" ? `Version ${shown.fromVersion} → ${shown.toVersion}` : `Returning to version ${shown.toVersion}`,
      headline: HEADLINE[state],
      state,
      steps,
      etaSeconds: active ? Math.round(eta) : null,
      maintenanceMessage: instance.maintenanceMode ? instance.maintenanceMessage : null,
      updatedAt: run.updatedAt.toISOString(),
    },
  };
}
