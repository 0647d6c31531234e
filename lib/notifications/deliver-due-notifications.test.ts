// The delivery loop in-process against the suite's real database and an HTTP receiver on
// 127.0.0.1: several workers' claims never send a row twice, a dead worker's claim expires, and
// the backoff grows, with jitter, up to its cap.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDb } from "@/test/support/db";
import { startHttpReceiver } from "@/test/support/receivers";
import { encryptSecret } from "@/lib/crypto";
import { deliverDueNotifications, retryDelaySeconds } from "@/lib/notifications/deliver-due-notifications";
import { sendEmail } from "@/lib/notifications/send-email";
import type { NotificationPayload } from "@/lib/notifications/events";

let http: Awaited<ReturnType<typeof startHttpReceiver>>;
let instanceId = "";
let channelId = "";

const payload: NotificationPayload = { event: "test", title: "Claim test", message: "", severity: "info", instance: null, run: null, link: null, details: {} };

beforeAll(async () => {
  http = await startHttpReceiver();
  const inst = await testDb().instance.create({ data: { name: `d-${randomBytes(4).toString("hex")}`, url: "http://127.0.0.1:1", version: "1.0.0" } });
  instanceId = inst.id;
  const ch = await testDb().notificationChannel.create({ data: { instanceId, kind: "webhook", name: "claims", targetEncrypted: encryptSecret(`${http.url}/claims`), secretEncrypted: encryptSecret("a-signing-secret-of-some-length"), events: [] } });
  channelId = ch.id;
});

afterAll(async () => {
  await testDb().instance.delete({ where: { id: instanceId } });
  await http.close();
});

describe("claiming", () => {
  it("three concurrent delivery loops send each of 40 rows exactly once", async () => {
    await testDb().notificationOutbox.createMany({ data: Array.from({ length: 40 }, () => ({ kind: "webhook" as const, channelId, event: "test", instanceId, payload: payload as object })) });
    const loop = async () => {
      while ((await deliverDueNotifications()) > 0) {
        // keep claiming until nothing is due
      }
    };
    await Promise.all([loop(), loop(), loop()]);
    const rows = await testDb().notificationOutbox.findMany({ where: { instanceId } });
    expect(rows.every((r) => r.status === "sent" && r.attempts === 1)).toBe(true);
    const ids = http.requests.map((r) => String(r.headers["x-webwaka-delivery"]));
    expect(ids.length).toBe(40);
    expect(new Set(ids).size).toBe(40);
  });

  it("a row left `sending` by a dead worker is sent again once its claim expires; on its last attempt it is dead", async () => {
    const past = new Date(Date.now() - 60_000);
    const stuck = await testDb().notificationOutbox.create({ data: { kind: "webhook", channelId, event: "test", instanceId, payload: payload as object, status: "sending", attempts: 1, nextAttemptAt: past } });
    const last = await testDb().notificationOutbox.create({ data: { kind: "webhook", channelId, event: "test", instanceId, payload: payload as object, status: "sending", attempts: 8, nextAttemptAt: past } });
    const live = await testDb().notificationOutbox.create({ data: { kind: "webhook", channelId, event: "test", instanceId, payload: payload as object, status: "sending", attempts: 1, nextAttemptAt: new Date(Date.now() + 60_000) } });
    await deliverDueNotifications();
    expect(await testDb().notificationOutbox.findUniqueOrThrow({ where: { id: stuck.id } })).toMatchObject({ status: "sent", attempts: 2 });
    expect(await testDb().notificationOutbox.findUniqueOrThrow({ where: { id: last.id } })).toMatchObject({ status: "dead", lastError: expect.stringContaining("worker stopped") });
    expect(await testDb().notificationOutbox.findUniqueOrThrow({ where: { id: live.id } })).toMatchObject({ status: "sending", attempts: 1 });
  });
});

describe("retryDelaySeconds", () => {
  it.each([
    [1, 0, 15],
    [1, 1, 30],
    [2, 0, 30],
    [3, 1, 120],
    [20, 0, 1800],
    [20, 1, 3600],
  ])("attempt %i with random %d waits %d s (base 30, cap 3600)", (attempt, random, expected) => {
    expect(retryDelaySeconds(attempt, 30, 3600, () => random)).toBe(expected);
  });
});

describe("email without SMTP", () => {
  it("fails with a clear message instead of crashing", async () => {
    await expect(sendEmail({ id: "x", event: "test", createdAt: new Date(), payload, target: "a@example.test", secret: null })).rejects.toThrow(/SMTP_URL/);
  });
});
