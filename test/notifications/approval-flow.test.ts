// The people around an upgrade hear about it: a manual-approval request, its approval and its
// rejection reach the requester and the stakeholders by email, and an emergency rollback pages
// on-call through PagerDuty. Real instance, real worker, local SMTP and HTTP receivers.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { api, EMAILS } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { startWorker, type WorkerHandle } from "@/test/support/worker";
import { createTestInstance, FULL_CHECKLIST, stopTestInstance, waitForRun, type TestInstance } from "@/test/support/instances";
import { decodeMail, eventually, startHttpReceiver, startSmtpReceiver, type Mail } from "@/test/support/receivers";

vi.setConfig({ testTimeout: 180_000 });

const ROUTING_KEY = randomBytes(16).toString("hex");
const STAKEHOLDERS = ["ada@example.test", "bola@example.test"];

let worker: WorkerHandle;
let http: Awaited<ReturnType<typeof startHttpReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let inst: TestInstance;

function text(m: Mail): string {
  return decodeMail(m.raw);
}

function mailsFor(event: string, runId: string): Mail[] {
  return smtp.mails.filter((m) => m.raw.toLowerCase().includes(`x-webwaka-event: ${event}`) && text(m).includes(runId));
}

async function waitForMails(event: string, runId: string, recipients: string[]): Promise<Mail[]> {
  return eventually(() => {
    const got = mailsFor(event, runId);
    const to = got.flatMap((m) => m.to).sort();
    return recipients.every((r) => to.includes(r)) ? got : undefined;
  }, `${event} mail to ${recipients.join(", ")}`, 60_000);
}

async function request(): Promise<string> {
  const res = await api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/upgrades`, { targetVersion: "1.1.0", checklist: FULL_CHECKLIST, rollbackPlan: "Runbook rollback." });
  expect(res.status, res.text).toBe(201);
  const { upgrade } = res.json as { upgrade: { id: string; status: string } };
  expect(upgrade.status).toBe("pending_approval");
  return upgrade.id;
}

beforeAll(async () => {
  http = await startHttpReceiver();
  http.setRespond(() => ({ status: 202, body: '{"status":"success"}' }));
  smtp = await startSmtpReceiver();
  inst = await createTestInstance("1.0.0", { channel: "manual_approval" });
  for (const [i, email] of STAKEHOLDERS.entries()) {
    const res = await api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/stakeholders`, { name: `Stakeholder ${i}`, email });
    expect(res.status, res.text).toBe(201);
  }
  const pd = await api("superadmin", "POST", "/api/superadmin/notification-channels", { kind: "pagerduty", name: "approval-flow on-call", target: ROUTING_KEY, events: ["upgrade.emergency_rollback"] });
  expect(pd.status, pd.text).toBe(201);
  worker = startWorker({ SMTP_URL: smtp.url, PAGERDUTY_EVENTS_URL: `${http.url}/v2/enqueue`, NOTIFY_POLL_SECONDS: "0.3", NOTIFY_RETRY_BASE_SECONDS: "0.3" });
});

afterAll(async () => {
  await worker?.stop();
  await testDb().notificationChannel.deleteMany({ where: { name: "approval-flow on-call" } });
  if (inst) await stopTestInstance(inst).catch(() => undefined);
  await http?.close();
  await smtp?.close();
});

describe("manual approval → approve → emergency rollback", () => {
  let runId = "";

  it("a request tells the stakeholders it waits for approval", async () => {
    runId = await request();
    const mails = await waitForMails("upgrade.requested", runId, STAKEHOLDERS);
    expect(text(mails[0]!)).toContain("is waiting for approval");
    expect(text(mails[0]!)).toContain(`/upgrades/${runId}`);
  });

  it("the approval reaches the requester and the stakeholders, with the comment; the start follows", async () => {
    const res = await api("approver", "POST", `/api/superadmin/upgrades/${runId}/approve`, { comment: "Looks good to me", rollbackPlanAcknowledged: true });
    expect(res.status, res.text).toBe(200);
    const mails = await waitForMails("upgrade.approved", runId, [EMAILS.superadmin, ...STAKEHOLDERS]);
    for (const m of mails) expect(text(m)).toContain("Comment: Looks good to me");
    await waitForMails("upgrade.started", runId, STAKEHOLDERS);
    expect((await waitForRun(runId)).status).toBe("monitoring");
  });

  it("an emergency rollback pages the on-call PagerDuty channel with severity critical", async () => {
    const res = await api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/rollback/emergency`);
    expect(res.status, res.text).toBe(202);
    const { rollback } = res.json as { rollback: { id: string } };
    const page = await eventually(() => http.requests.find((r) => r.path === "/v2/enqueue" && r.body.includes(rollback.id)), "the PagerDuty page", 120_000);
    expect(JSON.parse(page.body)).toMatchObject({ routing_key: ROUTING_KEY, event_action: "trigger", payload: { severity: "critical", custom_details: { event: "upgrade.emergency_rollback" } } });
    expect((await waitForRun(rollback.id)).status).toBe("succeeded");
    // The stakeholders hear it too, and the run page's list shows every row and its state.
    await waitForMails("upgrade.emergency_rollback", rollback.id, STAKEHOLDERS);
    const list = await api("viewer", "GET", `/api/superadmin/notifications?runId=${rollback.id}`);
    const rows = (list.json as { notifications: { kind: string; status: string }[] }).notifications;
    expect(rows.find((r) => r.kind === "pagerduty")?.status).toBe("sent");
    // No Slack channel is configured: the runbook's Slack message shows as undeliverable.
    expect(rows.find((r) => r.kind === "slack")?.status).toBe("dead");
  });
});

describe("manual approval → reject", () => {
  it("the rejection reaches the requester and the stakeholders with the comment", async () => {
    const runId = await request();
    const res = await api("approver", "POST", `/api/superadmin/upgrades/${runId}/reject`, { comment: "Not during the audit" });
    expect(res.status, res.text).toBe(200);
    const mails = await waitForMails("upgrade.rejected", runId, [EMAILS.superadmin, ...STAKEHOLDERS]);
    for (const m of mails) expect(text(m)).toContain("Comment: Not during the audit");
    expect(mailsFor("upgrade.started", runId)).toEqual([]);
  });
});
