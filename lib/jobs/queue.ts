import "server-only";
import PgBoss from "pg-boss";
import { z } from "zod";
import type { Tx } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { announceJob } from "@/lib/jobs/job-wakeup";

// Durable jobs on PostgreSQL through pg-boss. A job only says "work on run X"; the run's own
// rows (steps, lease, results) hold the state, so a job delivered twice is harmless.
export const QUEUES = {
  run: "upgrade-run",
  backup: "instance-backup",
  auditVerify: "audit-verify",
} as const;

/** What each queue's job carries; the worker parses it before acting on it. */
export const JOB_PAYLOADS = {
  [QUEUES.run]: z.object({ runId: z.string().min(1).max(200) }).strict(),
  [QUEUES.backup]: z.object({ backupId: z.string().min(1).max(200) }).strict(),
  [QUEUES.auditVerify]: z.object({ verificationId: z.string().min(1).max(200) }).strict(),
} as const;

export type RunJob = z.infer<(typeof JOB_PAYLOADS)[typeof QUEUES.run]>;
export type BackupJob = z.infer<(typeof JOB_PAYLOADS)[typeof QUEUES.backup]>;
export type AuditVerifyJob = z.infer<(typeof JOB_PAYLOADS)[typeof QUEUES.auditVerify]>;

const g = globalThis as unknown as { boss?: Promise<PgBoss> };

export function getBoss(): Promise<PgBoss> {
  g.boss ??= (async () => {
    const boss = new PgBoss({ connectionString: getEnv().DATABASE_URL, schema: "pgboss", max: 4 });
    boss.on("error", (e: unknown) => console.error(JSON.stringify({ level: "error", message: "pg-boss error", error: String(e) })));
    await boss.start();
    // Standard queues: a duplicate job for a run is harmless, because the run's lease (not the
    // queue) decides who runs it. A singleton policy would instead keep a dead worker's job
    // "active" until it expires and block the resume.
    await boss.createQueue(QUEUES.run, { name: QUEUES.run, policy: "standard", retryLimit: 5, retryDelay: 5, expireInSeconds: 3600 });
    await boss.createQueue(QUEUES.backup, { name: QUEUES.backup, policy: "standard", retryLimit: 2, retryDelay: 10, expireInSeconds: 3600 });
    // A verification's lease (in its row) decides who walks the chain, as for runs.
    await boss.createQueue(QUEUES.auditVerify, { name: QUEUES.auditVerify, policy: "standard", retryLimit: 2, retryDelay: 10, expireInSeconds: 3600 });
    return boss;
  })();
  return g.boss;
}

/** pg-boss inside the caller's Prisma transaction: the job commits with the rows it refers to. */
function txExecutor(tx: Tx): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      const rows = await tx.$queryRawUnsafe<unknown[]>(text, ...values);
      return { rows };
    },
  };
}

/** Sends a job, in `tx` when given, and wakes the workers listening for it (lib/jobs/job-wakeup.ts). */
export async function sendJob(queue: string, data: object, tx?: Tx): Promise<void> {
  const boss = await getBoss();
  await boss.send(queue, data, tx ? { db: txExecutor(tx) } : {});
  await announceJob(queue, tx);
}

export async function enqueueRun(runId: string, tx?: Tx): Promise<void> {
  await sendJob(QUEUES.run, { runId } satisfies RunJob, tx);
}

/** One job per run, in one INSERT (pg-boss's `insert`), and one announcement. */
export async function enqueueRuns(runIds: string[], tx?: Tx): Promise<void> {
  if (runIds.length === 0) return;
  const boss = await getBoss();
  await boss.insert(
    runIds.map((runId) => ({ name: QUEUES.run, data: { runId } satisfies RunJob })),
    tx ? { db: txExecutor(tx) } : {},
  );
  await announceJob(QUEUES.run, tx);
}

export async function enqueueBackup(backupId: string, tx?: Tx): Promise<void> {
  await sendJob(QUEUES.backup, { backupId } satisfies BackupJob, tx);
}

export async function enqueueAuditVerification(verificationId: string, tx?: Tx): Promise<void> {
  await sendJob(QUEUES.auditVerify, { verificationId } satisfies AuditVerifyJob, tx);
}

export async function stopBoss(): Promise<void> {
  if (!g.boss) return;
  const boss = await g.boss;
  g.boss = undefined;
  await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
}
