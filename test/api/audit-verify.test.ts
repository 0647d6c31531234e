// The verify routes: GET answers from the last checkpoint; POST …/verify/full queues the full
// re-verification (superadmins), GET …/verify/full shows its progress and outcome.
import { afterAll, describe, expect, it } from "vitest";
import { api, BASE_URL } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { drainFullVerification } from "@/test/support/audit-verify";
import { sessionCookie } from "@/test/support/session";
import { getDb } from "@/lib/db";
import { runFullVerification } from "@/lib/audit/run-full-verification";
import { stopBoss } from "@/lib/jobs/queue";

type Full = { verification: { id: string; status: string; checked: number; total: number | null; requestedBy: string | null } | null };


afterAll(async () => {
  await drainFullVerification();
  await stopBoss();
  await getDb().$disconnect();
});

describe("GET /api/superadmin/audit-logs/verify", () => {
  it("answers from the checkpoint: a second call with nothing new checks no entry", async () => {
    const first = await api("viewer", "GET", "/api/superadmin/audit-logs/verify");
    expect(first.status, first.text).toBe(200);
    expect(first.json).toMatchObject({ ok: true, mode: "incremental" });
    const again = await api("viewer", "GET", "/api/superadmin/audit-logs/verify");
    expect(again.json).toMatchObject({ ok: true, checked: 0, complete: true, from: { seq: (first.json as { lastSeq: number }).lastSeq } });
  });
});

describe("/api/superadmin/audit-logs/verify/full", () => {
  it("queues one full verification at a time for a superadmin, and shows its progress and outcome to anyone", async () => {
    await drainFullVerification();
    for (const who of ["viewer", "approver"] as const) expect((await api(who, "POST", "/api/superadmin/audit-logs/verify/full")).status).toBe(403);
    const started = await api("superadmin", "POST", "/api/superadmin/audit-logs/verify/full");
    expect(started.status, started.text).toBe(202);
    expect(started.json).toMatchObject({ started: true, verification: { status: "queued", checked: 0, requestedBy: expect.stringContaining("admin@webwaka.local") } });
    const id = (started.json as { verification: { id: string } }).verification.id;
    const again = await api("superadmin", "POST", "/api/superadmin/audit-logs/verify/full");
    expect(again.json).toMatchObject({ started: false, verification: { id } });
    const queued = await api("viewer", "GET", "/api/superadmin/audit-logs/verify/full");
    expect(queued.status).toBe(200);
    expect((queued.json as Full).verification).toMatchObject({ id, status: "queued" });

    // What the worker does with the job.
    expect(await runFullVerification(id, "test-worker")).toBe(true);
    const done = (await api("viewer", "GET", "/api/superadmin/audit-logs/verify/full")).json as Full;
    expect(done.verification).toMatchObject({ id, status: "passed" });
    expect(done.verification!.checked).toBe(done.verification!.total);
    // The verified entry is the checkpoint now; only the job's own audit entry is newer.
    expect((await api("viewer", "GET", "/api/superadmin/audit-logs/verify")).json).toMatchObject({ ok: true, checked: 1, from: { kind: "full" }, lastFull: { id, status: "passed" } });
  });

  it("refuses a browser session's POST from another origin", async () => {
    await drainFullVerification();
    const cookie = await sessionCookie("superadmin");
    const res = await fetch(`${BASE_URL}/api/superadmin/audit-logs/verify/full`, { method: "POST", headers: { cookie, origin: "https://evil.example" } });
    expect(res.status).toBe(403);
    expect(await testDb().auditVerification.count({ where: { activeFull: true } })).toBe(0);
  });
});
