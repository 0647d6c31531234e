// Stakeholder status pages: no account needed, live, revocable, and redacted.
import { beforeAll, describe, expect, it } from "vitest";
import { api, BASE_URL, TOKENS } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { UPGRADE_STEPS } from "@/lib/upgrades/runbook";
import { sha256Hex } from "@/lib/auth/tokens";

let runId = "";
let instanceId = "";
const SECRET_ERROR = "connect ECONNREFUSED 10.1.2.3:5432 postgres://admin:hunter2@db.internal/instance";
const SECRET_LOG = "pg_dump -h db.internal -U admin";

beforeAll(async () => {
  const db = testDb();
  const inst = await db.instance.create({ data: { name: `status-${Date.now()}`, url: "http://127.0.0.1:4999", version: "1.0.0", maintenanceMode: true, maintenanceMessage: "Upgrading to 1.1.0; back in 30 minutes." } });
  instanceId = inst.id;
  const run = await db.upgradeRun.create({
    data: {
      instanceId: inst.id,
      kind: "upgrade",
      fromVersion: "1.0.0",
      toVersion: "1.1.0",
      status: "running",
      trigger: "manual",
      steps: {
        create: UPGRADE_STEPS.map((s, i) => ({
          key: s.key,
          title: s.title,
          position: i,
          expectedSeconds: s.expectedSeconds,
          status: i < 3 ? "succeeded" : i === 3 ? "running" : "pending",
          startedAt: i <= 3 ? new Date(Date.now() - 5000) : null,
          finishedAt: i < 3 ? new Date() : null,
          ...(i === 2 ? { error: SECRET_ERROR, hint: "internal hint" } : {}),
        })),
      },
    },
  });
  runId = run.id;
  await db.runEvent.create({ data: { runId, type: "log", level: "info", message: SECRET_LOG } });
});

async function share(who: "superadmin" | "approver" | "viewer") {
  return api(who, "POST", `/api/superadmin/upgrades/${runId}/status-page`);
}

describe("status pages", () => {
  it("only a superadmin shares one; the link is unguessable", async () => {
    expect((await share("viewer")).status).toBe(403);
    expect((await share("approver")).status).toBe(403);
    const res = await share("superadmin");
    expect(res.status).toBe(201);
    const { url } = (res.json as { statusPage: { url: string } }).statusPage;
    expect(url).toMatch(/^\/status\/[A-Za-z0-9_-]{43}$/);
    expect(await testDb().auditLog.findFirst({ where: { action: "status_page.create", resourceId: runId } })).not.toBeNull();
  });

  it("stores only the sha256 of the link's token, and shows the link only once", async () => {
    const created = ((await share("superadmin")).json as { statusPage: { id: string; url: string; prefix: string } }).statusPage;
    const token = created.url.split("/").pop() ?? "";
    const row = await testDb().statusPageToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.tokenHash).toBe(sha256Hex(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(created.prefix).toBe(token.slice(0, 6));
    const hits = await testDb().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM status_page_tokens t WHERE strpos(t::text, ${token}) > 0`;
    expect(Number(hits[0]?.n)).toBe(0);
    // Read back later, the link is named by its prefix; the token is not there to show.
    const run = await api("viewer", "GET", `/api/superadmin/upgrades/${runId}`);
    expect((run.json as { statusPage: unknown }).statusPage).toEqual({ id: created.id, prefix: created.prefix, createdAt: expect.any(String) });
    expect(run.text).not.toContain(token);
    expect((await fetch(`${BASE_URL}${created.url}/state`)).status).toBe(200);
  });

  it("shows plain steps, the ETA and the maintenance message to anyone with the link, and nothing internal", async () => {
    const { url } = ((await share("superadmin")).json as { statusPage: { url: string } }).statusPage;
    const page = await fetch(`${BASE_URL}${url}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const state = await (await fetch(`${BASE_URL}${url}/state`)).json();
    expect(state).toMatchObject({ state: "in progress", change: "Version 1.0.0 → 1.1.0", maintenanceMessage: "Upgrading to 1.1.0; back in 30 minutes." });
    expect(state.steps.map((s: { title: string }) => s.title)).toContain("Entering maintenance");
    expect(state.etaSeconds).toBeGreaterThan(0);
    // The stream carries only "something changed"; read what it replays.
    const ctrl = new AbortController();
    const stream = await fetch(`${BASE_URL}${url}/events`, { signal: ctrl.signal });
    await testDb().$executeRaw`SELECT pg_notify('run_events', ${runId})`;
    await testDb().runEvent.create({ data: { runId, type: "step_status", message: SECRET_ERROR, data: { error: SECRET_ERROR } } });
    await testDb().$executeRaw`SELECT pg_notify('run_events', ${runId})`;
    const reader = stream.body!.getReader();
    let text = "";
    const until = Date.now() + 5000;
    while (!text.includes("event: change") && Date.now() < until) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    ctrl.abort();
    expect(text).toContain("event: change");
    for (const body of [html, JSON.stringify(state), text]) {
      for (const secret of ["127.0.0.1", "10.1.2.3", "hunter2", "db.internal", "ECONNREFUSED", "pg_dump", "internal hint", TOKENS.superadmin, "/api/superadmin"]) {
        expect(body.includes(secret), `found "${secret}"`).toBe(false);
      }
    }
  });

  it("learns the ETA from past runs of the same steps", async () => {
    const db = testDb();
    const past = await db.upgradeRun.create({ data: { instanceId, kind: "upgrade", fromVersion: "0.9.0", toVersion: "1.0.0", status: "succeeded", trigger: "manual" } });
    const t0 = new Date(Date.now() - 3_600_000);
    // Every other step of the catalogue already has a learned median from this suite or none;
    // make "configure" take 7 s in history and compare against its 60 s runbook estimate.
    await db.upgradeStep.create({ data: { runId: past.id, key: "configure", title: "x", position: 0, expectedSeconds: 60, status: "succeeded", startedAt: t0, finishedAt: new Date(t0.getTime() + 7000) } });
    const { getPublicStatus } = await import("@/lib/status-pages/status-pages");
    const { url } = ((await share("superadmin")).json as { statusPage: { url: string } }).statusPage;
    const found = await getPublicStatus(url.split("/").pop() ?? "");
    const { learnedStepSeconds } = await import("@/lib/status-pages/status-pages");
    const learned = await learnedStepSeconds(["configure"]);
    // The median of every finished "configure" step so far (other files may have added some).
    const rows = await db.upgradeStep.findMany({ where: { key: "configure", status: "succeeded", NOT: [{ startedAt: null }, { finishedAt: null }] } });
    const secs = rows.map((r) => (r.finishedAt!.getTime() - r.startedAt!.getTime()) / 1000).sort((a, b) => a - b);
    const mid = (secs.length - 1) / 2;
    const median = ((secs[Math.floor(mid)] ?? 0) + (secs[Math.ceil(mid)] ?? 0)) / 2;
    expect(learned.get("configure")).toBeCloseTo(median, 2);
    expect(secs).toContain(7);
    expect(found?.status.etaSeconds).toBeGreaterThan(0);
  });

  it("a revoked link stops working", async () => {
    const created = ((await share("superadmin")).json as { statusPage: { id: string; url: string } }).statusPage;
    expect((await fetch(`${BASE_URL}${created.url}/state`)).status).toBe(200);
    expect((await api("viewer", "POST", `/api/superadmin/status-pages/${created.id}/revoke`)).status).toBe(403);
    expect((await api("superadmin", "POST", `/api/superadmin/status-pages/${created.id}/revoke`)).status).toBe(200);
    expect((await fetch(`${BASE_URL}${created.url}/state`)).status).toBe(404);
    expect(await (await fetch(`${BASE_URL}${created.url}`)).text()).toContain("This status link is not valid");
    expect((await fetch(`${BASE_URL}/status/not-a-token/state`)).status).toBe(404);
  });
});

describe("an instance's status page", () => {
  it("follows the instance's latest upgrade, live, and can be revoked", async () => {
    // An instance of its own, so the other tests' runs are not its latest.
    const db = testDb();
    const own = await db.instance.create({ data: { name: `status-inst-${Date.now()}`, url: "http://127.0.0.1:4998", version: "1.0.0" } });
    const instanceId = own.id;
    const runId = (await db.upgradeRun.create({ data: { instanceId, fromVersion: "1.0.0", toVersion: "1.1.0", status: "running", trigger: "manual" } })).id;
    expect((await api("viewer", "POST", `/api/superadmin/instances/${instanceId}/status-page`)).status).toBe(403);
    const res = await api("superadmin", "POST", `/api/superadmin/instances/${instanceId}/status-page`);
    expect(res.status, res.text).toBe(201);
    const page = (res.json as { statusPage: { id: string; url: string } }).statusPage;
    expect(await testDb().auditLog.findFirst({ where: { action: "status_page.create", resourceType: "instance", resourceId: instanceId } })).not.toBeNull();
    const before = await (await fetch(`${BASE_URL}${page.url}/state`)).json();
    expect(before.change).toBe("Version 1.0.0 → 1.1.0");

    const ctrl = new AbortController();
    const stream = await fetch(`${BASE_URL}${page.url}/events`, { signal: ctrl.signal });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let text = "";
    const read = async (done: (t: string) => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!done(text) && Date.now() < deadline) {
        const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, deadline - Date.now())))]);
        if (!chunk || chunk.done) break;
        text += new TextDecoder().decode(chunk.value);
      }
    };
    try {
      await read((t) => t.includes("retry:"));
      // The first upgrade ends and a newer one starts: the same link now shows the new one.
      await db.upgradeRun.update({ where: { id: runId }, data: { status: "succeeded", finishedAt: new Date() } });
      const next = await db.upgradeRun.create({ data: { instanceId, kind: "upgrade", fromVersion: "1.1.0", toVersion: "1.2.0", status: "scheduled", trigger: "auto_update", scheduledFor: new Date(Date.now() + 3_600_000) } });
      await db.runEvent.create({ data: { runId: next.id, type: "run_status", message: SECRET_LOG } });
      await db.$executeRaw`SELECT pg_notify('run_events', ${next.id})`;
      await read((t) => t.includes("event: change"));
      expect(text).toContain("event: change");
      expect(text).not.toContain(SECRET_LOG);
      const after = await (await fetch(`${BASE_URL}${page.url}/state`)).json();
      expect(after).toMatchObject({ change: "Version 1.1.0 → 1.2.0", state: "scheduled" });
    } finally {
      ctrl.abort();
    }
    expect((await api("superadmin", "POST", `/api/superadmin/status-pages/${page.id}/revoke`)).status).toBe(200);
    expect((await fetch(`${BASE_URL}${page.url}/state`)).status).toBe(404);
  });
});

describe("how an upgrade ended, in the headline", () => {
  type RunSpec = { kind: "upgrade" | "rollback" | "emergency_rollback"; status: string; parent?: number };
  /** Makes an instance with `runs` (oldest first), shares the page of the instance or of run `follow`, and reads it. */
  async function statusOf(runs: RunSpec[], follow: "instance" | number): Promise<{ state: string; headline: string; etaSeconds: number | null }> {
    const db = testDb();
    const inst = await db.instance.create({ data: { name: `ended-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`, url: "http://127.0.0.1:4995", version: "1.0.0" } });
    const ids: string[] = [];
    for (const [i, r] of runs.entries()) {
      const upgrade = r.kind === "upgrade";
      const row = await db.upgradeRun.create({
        data: { instanceId: inst.id, kind: r.kind, fromVersion: upgrade ? "1.0.0" : "1.1.0", toVersion: upgrade ? "1.1.0" : "1.0.0", status: r.status as never, trigger: "manual", parentRunId: r.parent === undefined ? null : ids[r.parent], createdAt: new Date(Date.now() - (runs.length - i) * 60_000) },
      });
      ids.push(row.id);
    }
    const res = await api("superadmin", "POST", follow === "instance" ? `/api/superadmin/instances/${inst.id}/status-page` : `/api/superadmin/upgrades/${ids[follow]}/status-page`);
    expect(res.status, res.text).toBe(201);
    const { url } = (res.json as { statusPage: { url: string } }).statusPage;
    return (await fetch(`${BASE_URL}${url}/state`)).json();
  }

  const rolledBack: RunSpec[] = [{ kind: "upgrade", status: "rolled_back" }, { kind: "emergency_rollback", status: "succeeded", parent: 0 }];
  it.each([
    ["an instance page, after its upgrade was rolled back", rolledBack, "instance" as const, "rolled back", /undone|rolled back/],
    ["the upgrade's page, after it was rolled back", rolledBack, 0, "rolled back", /undone|rolled back/],
    ["the rollback's own page, once it finished", rolledBack, 1, "rolled back", /undone|rolled back/],
    ["an upgrade that was rolled back within its own run", [{ kind: "upgrade", status: "rolled_back" }], 0, "rolled back", /undone|rolled back/],
    ["an instance page while the rollback runs", [{ kind: "upgrade", status: "rolling_back" }, { kind: "rollback", status: "running", parent: 0 }], "instance" as const, "rolling back", /being undone/],
    ["an upgrade whose rollback failed", [{ kind: "upgrade", status: "failed" }, { kind: "rollback", status: "failed", parent: 0 }], 0, "rollback failed", /could not be undone/],
    ["an instance page after a failed rollback", [{ kind: "upgrade", status: "failed" }, { kind: "rollback", status: "failed", parent: 0 }], "instance" as const, "rollback failed", /could not be undone/],
    ["a failed upgrade", [{ kind: "upgrade", status: "failed" }], 0, "failed", /failed/],
    ["a cancelled upgrade", [{ kind: "upgrade", status: "cancelled" }], "instance" as const, "cancelled", /cancelled/],
    ["a rejected upgrade", [{ kind: "upgrade", status: "rejected" }], 0, "stopped", /did not go ahead/],
    ["a finished upgrade", [{ kind: "upgrade", status: "succeeded" }], "instance" as const, "completed", /complete/],
  ] as [string, RunSpec[], "instance" | number, string, RegExp][])("%s", async (_what, runs, follow, state, headline) => {
    const s = await statusOf(runs, follow);
    expect(s.state).toBe(state);
    expect(s.headline).toMatch(headline);
    if (state !== "completed") expect(s.headline).not.toMatch(/complete/);
    if (state === "failed" || state === "rollback failed") expect(s.headline).not.toMatch(/nothing changed/);
  });
});
