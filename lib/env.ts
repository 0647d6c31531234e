import { z } from "zod";

// The one place that reads process.env. Parsed lazily so that `next build` and tooling that
// never touch the database do not need a DATABASE_URL.
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url().startsWith("postgres", "must be a postgresql:// URL"),
  // next-auth signs sessions with this; `npm start` generates one under .data/ when unset.
  NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters"),
  NEXTAUTH_URL: z.string().url().optional(),
  // 32 bytes, base64: encrypts instance secrets at rest (lib/crypto).
  ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded"),
  DEMO_PASSWORD: z.string().min(8).optional(),
  // Backups and other files the console keeps (see docs/architecture.md).
  STORAGE_DIR: z.string().min(1).default(`${process.cwd()}/.data/storage`),
  BACKUP_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(600),
  // The run page and status pages read this many log lines per step.
  // How long a run's lease lasts without a heartbeat: a dead worker's run resumes after this.
  RUN_LEASE_SECONDS: z.coerce.number().int().min(3).max(600).default(20),
  // How long validation and rollbacks wait for an instance to turn healthy.
  HEALTH_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  // How often a worker looks for jobs by itself. A job sent is announced (lib/jobs/job-wakeup.ts)
  // and starts at once; polling only catches what an announcement missed. Unset: runs 0.5 s,
  // backups 1 s.
  JOB_POLL_SECONDS: z.coerce.number().min(0.5).max(3600).optional(),
  // Post-upgrade monitoring (lib/monitoring): how often a monitored instance is sampled, how many
  // consecutive samples over a threshold make a breach, and the probe requests sent per sample.
  MONITOR_SAMPLE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  MONITOR_BREACH_SAMPLES: z.coerce.number().int().min(1).max(100).default(3),
  MONITOR_PROBE_REQUESTS: z.coerce.number().int().min(0).max(100).default(5),
  // Fleet alerts (lib/alerts): the period the rates cover, how often they are evaluated, and the
  // finished upgrades a rate needs before it can fire.
  ALERT_PERIOD_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(24),
  ALERT_EVALUATE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  ALERT_MIN_RUNS: z.coerce.number().int().min(1).max(10_000).default(10),
  LOGIN_RATE_LIMIT: z.coerce.number().int().positive().default(10),
  API_RATE_LIMIT: z.coerce.number().int().positive().default(600),
  // The release feed the worker keeps in sync: an http(s) URL or a file path. Unset: releases
  // come only from what is already in the database.
  RELEASE_FEED: z.string().trim().min(1).optional(),
  FEED_SYNC_SECONDS: z.coerce.number().int().min(10).max(86_400).default(900),
  // How often the worker applies the channel policies to the fleet; 0 turns auto-update off.
  AUTO_UPDATE_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  // Trust X-Forwarded-For for the client IP only behind a proxy you run.
  // Notifications (lib/notifications). Links in messages point at this public console URL
  // (NEXTAUTH_URL when unset).
  CONSOLE_URL: z.string().url().optional(),
  // smtp://user:pass@host:port or smtps://…; without it, email rows fail with a clear error.
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL").optional(),
  SMTP_FROM: z.string().min(3).default("WebWaka Upgrade Console <upgrades@localhost>"),
  PAGERDUTY_EVENTS_URL: z.string().url().default("https://events.pagerduty.com/v2/enqueue"),
  NOTIFY_RETRY_BASE_SECONDS: z.coerce.number().positive().max(3600).default(30),
  NOTIFY_RETRY_MAX_SECONDS: z.coerce.number().positive().max(86_400).default(3600),
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  NOTIFY_SEND_TIMEOUT_SECONDS: z.coerce.number().positive().max(120).default(10),
  NOTIFY_POLL_SECONDS: z.coerce.number().positive().max(60).default(2),
  TRUST_PROXY: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function getEnv(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid environment:\n${problems}\nSee .env.example.`);
  }
  cached = parsed.data;
  return cached;
}

export const APP_VERSION = "0.1.0";

/** The PATH handed to child processes (pg_dump, tar, instance processes). */
export function systemPath(): string {
  return process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin";
}
