import "server-only";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { decryptSecret } from "@/lib/crypto";
import { logError, logInfo } from "@/lib/log";
import { scrub, secretPartsOfUrl, SendError } from "@/lib/notifications/send-error";
import { sendEmail } from "@/lib/notifications/send-email";
import { sendSlack } from "@/lib/notifications/send-slack";
import { sendPagerDuty } from "@/lib/notifications/send-pagerduty";
import { sendWebhook } from "@/lib/notifications/send-webhook";
import type { Delivery } from "@/lib/notifications/delivery";
import type { ChannelKind, NotificationPayload } from "@/lib/notifications/events";

const BATCH = 10;

const SENDERS: Record<ChannelKind, (d: Delivery) => Promise<void>> = {
  email: sendEmail,
  slack: sendSlack,
  pagerduty: sendPagerDuty,
  webhook: sendWebhook,
};

/** Exponential backoff with jitter: half the step is fixed, half random, capped. */
export function retryDelaySeconds(attempts: number, base: number, cap: number, random: () => number = Math.random): number {
  const step = Math.min(cap, base * 2 ** Math.max(0, attempts - 1));
  return step / 2 + (random() * step) / 2;
}

/**
 * Claims due rows for this worker: pending ones, failed ones whose backoff is over, and `sending`
 * ones whose claim expired (their worker died). SKIP LOCKED lets several workers claim at once
 * without taking the same row; the claim itself pushes `next_attempt_at` out as a lease.
 */
async function claimDue(): Promise<{ id: string; attempts: number }[]> {
  const env = getEnv();
  const lease = env.NOTIFY_SEND_TIMEOUT_SECONDS * 3 + 5;
  const db = getDb();
  // A row whose worker died on its last allowed attempt is not tried again.
  await db.$executeRaw`
    UPDATE notification_outbox SET status = 'dead', last_error = 'The worker stopped while sending the last allowed attempt.'
    WHERE status = 'sending' AND next_attempt_at <= now() AND attempts >= ${env.NOTIFY_MAX_ATTEMPTS}`;
  return db.$queryRaw<{ id: string; attempts: number }[]>`
    WITH due AS (
      SELECT id FROM notification_outbox
      WHERE status IN ('pending', 'failed', 'sending') AND next_attempt_at <= now()
      ORDER BY next_attempt_at
      LIMIT ${BATCH}
      FOR UPDATE SKIP LOCKED)
    UPDATE notification_outbox o
    SET status = 'sending', attempts = o.attempts + 1, next_attempt_at = now() + make_interval(secs => ${lease}::double precision)
    FROM due WHERE o.id = due.id
    RETURNING o.id, o.attempts`;
}

type Loaded = { delivery: Delivery; kind: ChannelKind; secrets: string[] } | { error: string };

async function load(id: string): Promise<Loaded> {
  const row = await getDb().notificationOutbox.findUniqueOrThrow({ where: { id }, include: { channel: true } });
  const payload = row.payload as unknown as NotificationPayload;
  const base = { id: row.id, event: row.event, createdAt: row.createdAt, payload };
  if (!row.channelId) {
    if (row.kind === "email" && payload.to?.email) return { kind: "email", secrets: [], delivery: { ...base, target: payload.to.email, secret: null } };
    return { error: `No ${row.kind} channel for this notification.` };
  }
  const ch = row.channel;
  if (!ch) return { error: "The channel was removed." };
  if (!ch.enabled && row.event !== "test") return { error: "The channel is disabled." };
  const target = decryptSecret(ch.targetEncrypted);
  const secret = ch.secretEncrypted ? decryptSecret(ch.secretEncrypted) : null;
  const secrets = [target, ...(ch.kind === "slack" || ch.kind === "webhook" ? secretPartsOfUrl(target) : []), ...(secret ? [secret] : [])];
  return { kind: ch.kind, secrets, delivery: { ...base, target, secret } };
}

function smtpSecrets(): string[] {
  const url = getEnv().SMTP_URL;
  if (!url) return [];
  try {
    const u = new URL(url);
    return [url, u.password, decodeURIComponent(u.password)].filter(Boolean);
  } catch {
    return [url];
  }
}

/** Sends one claimed row and records the outcome, fenced by the attempt it was claimed with. */
async function deliverOne(id: string, attempt: number): Promise<"sent" | "failed" | "dead"> {
  const env = getEnv();
  const db = getDb();
  let error: string;
  let permanent = false;
  let secrets: string[] = smtpSecrets();
  try {
    const loaded = await load(id);
    if ("error" in loaded) {
      error = loaded.error;
      permanent = true;
    } else {
      secrets = [...secrets, ...loaded.secrets];
      await SENDERS[loaded.kind](loaded.delivery);
      await db.notificationOutbox.updateMany({ where: { id, status: "sending", attempts: attempt }, data: { status: "sent", sentAt: new Date(), lastError: null } });
      return "sent";
    }
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
    permanent = e instanceof SendError ? e.permanent : false;
  }
  const clean = scrub(error, secrets);
  const dead = permanent || attempt >= env.NOTIFY_MAX_ATTEMPTS;
  const next = new Date(Date.now() + retryDelaySeconds(attempt, env.NOTIFY_RETRY_BASE_SECONDS, env.NOTIFY_RETRY_MAX_SECONDS) * 1000);
  await db.notificationOutbox.updateMany({ where: { id, status: "sending", attempts: attempt }, data: dead ? { status: "dead", lastError: clean } : { status: "failed", lastError: clean, nextAttemptAt: next } });
  logInfo(dead ? "notification dead" : "notification failed; will retry", { notificationId: id, attempt, error: clean });
  return dead ? "dead" : "failed";
}

/** One delivery round: claim what is due and send it. Returns how many rows were handled. */
export async function deliverDueNotifications(): Promise<number> {
  const claimed = await claimDue();
  await Promise.all(claimed.map((c) => deliverOne(c.id, c.attempts).catch((e: unknown) => logError("notification delivery crashed", e, { notificationId: c.id }))));
  return claimed.length;
}
