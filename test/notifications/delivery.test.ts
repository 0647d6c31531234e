// Notification delivery end to end: channels managed through the REST API, rows delivered by a real
// worker process to a local SMTP server and HTTP receivers on 127.0.0.1.
import { createHmac, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { api } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { startWorker, type WorkerHandle } from "@/test/support/worker";
import { decodeMail, eventually, startHttpReceiver, startSmtpReceiver } from "@/test/support/receivers";
import { enqueueNotification } from "@/lib/notifications/enqueue-notification";
import { freePort } from "@/scripts/lib/local-postgres";

vi.setConfig({ testTimeout: 60_000 });

const SLACK_SECRET = `XSLACK${randomBytes(8).toString("hex")}`;
const ROUTING_KEY = randomBytes(16).toString("hex");
const SIGNING_SECRET = `whsec-${randomBytes(12).toString("hex")}`;
const PATH_SECRET = `pathtoken${randomBytes(6).toString("hex")}`;
const INTERNAL_BODY = "admin panel: db_password=s3cr3t-internal; AWS_SECRET_ACCESS_KEY=AKIAINTERNAL";

let worker: WorkerHandle;
let http: Awaited<ReturnType<typeof startHttpReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let instanceId = "";
const flakyHits = new Map<string, number>();

async function addChannel(body: Record<string, unknown>, fleet = false): Promise<{ id: string; target: string }> {
  const res = await api("superadmin", "POST", fleet ? "/api/superadmin/notification-channels" : `/api/superadmin/instances/${instanceId}/notification-channels`, body);
  expect(res.status, res.text).toBe(201);
  return (res.json as { channel: { id: string; target: string } }).channel;
}

async function sendTest(channelId: string): Promise<string> {
  const res = await api("superadmin", "POST", `/api/superadmin/notification-channels/${channelId}/test`);
  expect(res.status, res.text).toBe(202);
  return (res.json as { notification: { id: string } }).notification.id;
}

async function settled(id: string, statuses = ["sent", "dead"]) {
  return eventually(async () => {
    const row = await testDb().notificationOutbox.findUniqueOrThrow({ where: { id } });
    return statuses.includes(row.status) ? row : undefined;
  }, `notification ${id} to be ${statuses.join("/")}`);
}

beforeAll(async () => {
  http = await startHttpReceiver();
  smtp = await startSmtpReceiver();
  http.setRespond((r) => {
    if (r.path.startsWith("/flaky/")) {
      const n = (flakyHits.get(r.path) ?? 0) + 1;
      flakyHits.set(r.path, n);
      return n <= 2 ? { status: 500, body: "try later" } : { status: 200 };
    }
    if (r.path.startsWith("/broken")) return { status: 500, body: "down" };
    // An internal service a channel was aimed at: what it answers must reach no viewer.
    if (r.path.startsWith("/internal")) return { status: 500, reason: "root-password-hunter2", body: `${INTERNAL_BODY}\n${"padding ".repeat(1000)}` };
    if (r.path.startsWith("/gone")) return { status: 404, body: "no such hook" };
    // Echoes its own path, secret and all: the console must not store it.
    if (r.path.startsWith("/echo")) return { status: 503, body: `cannot deliver to ${r.path}` };
    return { status: r.path === "/v2/enqueue" ? 202 : 200, body: "ok" };
  });
  const inst = await testDb().instance.create({ data: { name: `n-${randomBytes(4).toString("hex")}`, url: "http://127.0.0.1:1", version: "1.0.0" } });
  instanceId = inst.id;
  worker = startWorker({
    SMTP_URL: smtp.url,
    SMTP_FROM: "Console <console@example.test>",
    PAGERDUTY_EVENTS_URL: `${http.url}/v2/enqueue`,
    NOTIFY_RETRY_BASE_SECONDS: "0.3",
    NOTIFY_RETRY_MAX_SECONDS: "1",
    NOTIFY_MAX_ATTEMPTS: "3",
    NOTIFY_POLL_SECONDS: "0.3",
  });
});

afterAll(async () => {
  await worker?.stop();
  await testDb().notificationChannel.deleteMany({ where: { OR: [{ instanceId }, { instanceId: null, name: { startsWith: "delivery-test" } }] } });
  await http?.close();
  await smtp?.close();
});

describe("transports", () => {
  it("a signed webhook arrives with event, delivery id and a signature the receiver verifies", async () => {
    const ch = await addChannel({ kind: "webhook", name: "Hook", target: `${http.url}/hooks/${PATH_SECRET}`, secret: SIGNING_SECRET });
    expect(ch.target).not.toContain(PATH_SECRET);
    const id = await sendTest(ch.id);
    const row = await settled(id);
    expect(row).toMatchObject({ status: "sent", attempts: 1, lastError: null });
    const req = http.requests.find((r) => r.headers["x-webwaka-delivery"] === id);
    expect(req?.path).toBe(`/hooks/${PATH_SECRET}`);
    const ts = String(req?.headers["x-webwaka-timestamp"]);
    const expected = `sha256=${createHmac("sha256", SIGNING_SECRET).update(`${ts}.${req?.body}`).digest("hex")}`;
    expect(req?.headers["x-webwaka-signature"]).toBe(expected);
    expect(req?.headers["x-webwaka-event"]).toBe("test");
    expect(JSON.parse(req?.body ?? "{}")).toMatchObject({ id, event: "test", data: { title: 'Test message for "Hook"', instance: { id: instanceId } } });
  });

  it("a webhook without a secret gets a generated one, shown once", async () => {
    const res = await api("superadmin", "POST", `/api/superadmin/instances/${instanceId}/notification-channels`, { kind: "webhook", name: "Generated", target: `${http.url}/hooks/generated` });
    expect(res.status, res.text).toBe(201);
    const { channel, secret } = res.json as { channel: { id: string; hasSecret: boolean }; secret: string };
    expect(channel.hasSecret).toBe(true);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const list = await api("viewer", "GET", `/api/superadmin/instances/${instanceId}/notification-channels`);
    expect(list.text).not.toContain(secret);
  });

  it("Slack gets the message text from its incoming webhook", async () => {
    const ch = await addChannel({ kind: "slack", name: "Ops Slack", target: `${http.url}/services/T000/B000/${SLACK_SECRET}` });
    const id = await sendTest(ch.id);
    expect((await settled(id)).status).toBe("sent");
    const req = http.requests.find((r) => r.path.endsWith(SLACK_SECRET));
    const body = JSON.parse(req?.body ?? "{}") as { text: string; blocks: unknown[] };
    expect(body.text).toContain('Test message for "Ops Slack"');
    expect(body.blocks.length).toBeGreaterThan(0);
  });

  it("PagerDuty gets an Events v2 trigger with the routing key", async () => {
    const ch = await addChannel({ kind: "pagerduty", name: "On-call", target: ROUTING_KEY });
    expect(ch.target).toBe(`••••${ROUTING_KEY.slice(-4)}`);
    const id = await sendTest(ch.id);
    expect((await settled(id)).status).toBe("sent");
    const req = http.requests.filter((r) => r.path === "/v2/enqueue").map((r) => JSON.parse(r.body) as Record<string, unknown>).find((b) => (b.payload as { custom_details?: { event?: string } }).custom_details?.event === "test");
    expect(req).toMatchObject({ routing_key: ROUTING_KEY, event_action: "trigger", dedup_key: expect.stringContaining("webwaka:test:"), payload: { summary: 'Test message for "On-call"', severity: "info", source: expect.any(String), custom_details: expect.any(Object) } });
  });

  it("email goes through SMTP to the channel's address", async () => {
    const ch = await addChannel({ kind: "email", name: "Ops mail", target: "ops@example.test" });
    const id = await sendTest(ch.id);
    expect((await settled(id)).status).toBe("sent");
    const mail = smtp.mails.find((m) => m.raw.toLowerCase().includes(`x-webwaka-delivery: ${id}`));
    expect(mail?.to).toEqual(["ops@example.test"]);
    expect(mail?.from).toBe("console@example.test");
    const decoded = decodeMail(mail?.raw ?? "");
    expect(decoded).toContain('Subject: [WebWaka] Test message for "Ops mail"');
    expect(decoded).toContain(`/instances/${instanceId}`);
  });
});

describe("retries", () => {
  it("a receiver that fails twice with 500 gets the message on the third attempt", async () => {
    const ch = await addChannel({ kind: "webhook", name: "Flaky", target: `${http.url}/flaky/1`, secret: SIGNING_SECRET });
    const id = await sendTest(ch.id);
    const row = await settled(id);
    expect(row).toMatchObject({ status: "sent", attempts: 3, lastError: null });
    expect(flakyHits.get("/flaky/1")).toBe(3);
  });

  it("a receiver that keeps failing makes the row dead after the maximum attempts", async () => {
    const ch = await addChannel({ kind: "slack", name: "Broken", target: `${http.url}/broken/x` });
    const id = await sendTest(ch.id);
    const row = await settled(id, ["dead"]);
    expect(row.attempts).toBe(3);
    expect(row.lastError).toContain("HTTP 500");
    const list = await api("viewer", "GET", `/api/superadmin/notifications?status=dead&instanceId=${instanceId}`);
    expect((list.json as { notifications: { id: string; attempts: number; lastError: string }[] }).notifications.find((n) => n.id === id)).toMatchObject({ attempts: 3, lastError: expect.stringContaining("HTTP 500") });
  });

  it("a refusal that cannot change (404) ends at once; a retry from the API sends it again", async () => {
    const ch = await addChannel({ kind: "slack", name: "Gone", target: `${http.url}/gone/x` });
    const id = await sendTest(ch.id);
    expect(await settled(id, ["dead"])).toMatchObject({ attempts: 1, lastError: expect.stringContaining("HTTP 404") });
    const retry = await api("superadmin", "POST", `/api/superadmin/notifications/${id}/retry`);
    expect(retry.status, retry.text).toBe(202);
    await eventually(async () => (await testDb().notificationOutbox.findUniqueOrThrow({ where: { id } })).status === "dead" && http.requests.filter((r) => r.path === "/gone/x").length >= 2, "the retried row");
    expect(await testDb().auditLog.findFirst({ where: { action: "notification.retry", resourceId: id } })).not.toBeNull();
  });
});

describe("secrets", () => {
  it("never land in lastError, the worker's log or API answers", async () => {
    const echo = await addChannel({ kind: "slack", name: "Echo", target: `${http.url}/echo/${SLACK_SECRET}` });
    const refused = await addChannel({ kind: "webhook", name: "Refused", target: `http://127.0.0.1:${await freePort()}/hooks/${PATH_SECRET}`, secret: SIGNING_SECRET });
    const ids = [await sendTest(echo.id), await sendTest(refused.id)];
    const rows = await Promise.all(ids.map((id) => settled(id, ["dead", "failed"])));
    expect(rows[0]?.lastError).toContain("HTTP 503");
    expect(rows[1]?.lastError).toContain("ECONNREFUSED");
    const answers = [
      await api("viewer", "GET", `/api/superadmin/notifications?instanceId=${instanceId}`),
      await api("viewer", "GET", `/api/superadmin/instances/${instanceId}/notification-channels`),
      await api("superadmin", "PATCH", `/api/superadmin/notification-channels/${echo.id}`, { enabled: false }),
    ];
    const everything = [...rows.map((r) => r.lastError ?? ""), worker.output(), ...answers.map((a) => a.text)].join("\n");
    for (const secret of [SLACK_SECRET, PATH_SECRET, SIGNING_SECRET, ROUTING_KEY]) expect(everything).not.toContain(secret);
    const stored = await testDb().notificationChannel.findUniqueOrThrow({ where: { id: echo.id } });
    expect(stored.targetEncrypted).not.toContain(SLACK_SECRET);
  });
});

describe("a receiver's answer", () => {
  it("is stored and shown as its status line only, never its body or its own reason phrase", async () => {
    const ch = await addChannel({ kind: "webhook", name: "Internal", target: `${http.url}/internal/admin`, secret: SIGNING_SECRET });
    const id = await sendTest(ch.id);
    const row = await settled(id, ["failed", "dead"]);
    expect(row.lastError).toBe("HTTP 500 Internal Server Error");
    const list = await api("viewer", "GET", `/api/superadmin/notifications?instanceId=${instanceId}`);
    const shown = (list.json as { notifications: { id: string; lastError: string | null }[] }).notifications.find((n) => n.id === id);
    expect(shown?.lastError).toBe("HTTP 500 Internal Server Error");
    for (const leak of ["db_password", "s3cr3t", "AKIAINTERNAL", "hunter2", "admin panel"]) expect(list.text + worker.output()).not.toContain(leak);
  });
});

describe("routing", () => {
  it("alert.fired reaches subscribed channels only; fleet-wide channels hear every instance", async () => {
    const before = http.requests.length;
    await addChannel({ kind: "pagerduty", name: "delivery-test fleet", target: ROUTING_KEY, events: ["alert.fired"] }, true);
    await addChannel({ kind: "webhook", name: "Failures only", target: `${http.url}/failures-only`, secret: SIGNING_SECRET, events: ["upgrade.failed"] });
    const result = await testDb().$transaction((tx) => enqueueNotification(tx, { event: "alert.fired", instanceId, payload: { title: "Error rate 3%", message: "Post-upgrade error rate over 1%", severity: "critical", alertId: "alert-1" } }));
    expect(result.undeliverable).toEqual([]);
    const rows = await testDb().notificationOutbox.findMany({ where: { event: "alert.fired", instanceId }, include: { channel: true } });
    expect(rows.map((r) => r.channel?.name)).toContain("delivery-test fleet");
    expect(rows.map((r) => r.channel?.name)).not.toContain("Failures only");
    const page = await eventually(() => http.requests.slice(before).find((r) => r.path === "/v2/enqueue" && r.body.includes("alert.fired")), "the alert page");
    expect(JSON.parse(page.body)).toMatchObject({ dedup_key: "webwaka:alert.fired:alert-1", payload: { summary: "Error rate 3%", severity: "critical" } });
    expect(http.requests.some((r) => r.path === "/failures-only")).toBe(false);
  });

  it("an emergency rollback with no channel of a required kind shows the gap as undeliverable rows", async () => {
    const bare = await testDb().instance.create({ data: { name: `bare-${randomBytes(4).toString("hex")}`, url: "http://127.0.0.1:1", version: "1.0.0" } });
    const result = await testDb().$transaction((tx) => enqueueNotification(tx, { event: "upgrade.emergency_rollback", instanceId: bare.id, payload: { title: "Emergency" } }));
    expect(result.undeliverable.sort()).toEqual(["email", "pagerduty", "slack"]);
    const rows = await testDb().notificationOutbox.findMany({ where: { instanceId: bare.id } });
    expect(rows.every((r) => r.status === "dead" && /No \w+ channel is configured/.test(r.lastError ?? ""))).toBe(true);
  });

  it("validates targets: URLs must be http(s), emails and routing keys well-formed", async () => {
    for (const body of [
      { kind: "slack", name: "x", target: "ftp://example.test/hook" },
      { kind: "email", name: "x", target: "not-an-email" },
      { kind: "pagerduty", name: "x", target: "short" },
      { kind: "webhook", name: "x", target: "https://example.test", secret: "short" },
    ]) {
      const res = await api("superadmin", "POST", `/api/superadmin/instances/${instanceId}/notification-channels`, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    const dup = { name: "Ada", email: "ada@example.test" };
    expect((await api("superadmin", "POST", `/api/superadmin/instances/${instanceId}/stakeholders`, dup)).status).toBe(201);
    expect((await api("superadmin", "POST", `/api/superadmin/instances/${instanceId}/stakeholders`, dup)).status).toBe(409);
    expect((await api("superadmin", "POST", `/api/superadmin/instances/${instanceId}/stakeholders`, { name: "B", email: "nope" })).status).toBe(422);
  });
});
