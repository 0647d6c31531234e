// A job sent starts at once instead of at the worker's next poll: the send announces it
// (pg_notify, at commit) and the worker wakes its pg-boss workers of that queue. The polling
// interval here is an hour, so a job that is picked up at all was picked up by the announcement;
// the timeouts below only bound the wait. Real pg-boss, real LISTEN, a real worker process.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";
import pg from "pg";
import { api, DATABASE_URL, OWNER_DATABASE_URL } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { startWorker, type WorkerHandle } from "@/test/support/worker";
import { waitUntil } from "@/test/support/wait";
import { createTestInstance, stopTestInstance, type TestInstance } from "@/test/support/instances";
import { getBoss, sendJob, stopBoss } from "@/lib/jobs/queue";
import { listenForJobs } from "@/lib/jobs/job-wakeup";

vi.setConfig({ testTimeout: 120_000 });

const HOUR = 3600;
const cleanups: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await stopBoss();
});

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: OWNER_DATABASE_URL || DATABASE_URL });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

const listeners = (name: string) => sql<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1", [name]);

describe("jobs wake the workers", () => {
  it("a job sent is fetched at once, and one sent while the listener was away once it is back", async () => {
    const queue = `wakeup-test-${randomBytes(3).toString("hex")}`;
    const boss = await getBoss();
    await boss.createQueue(queue, { name: queue, policy: "standard" });
    const got: number[] = [];
    const worker = await boss.work<{ n: number }>(queue, { batchSize: 1, pollingIntervalSeconds: HOUR }, async ([job]) => {
      if (job) got.push(job.data.n);
    });
    cleanups.push(() => boss.offWork(queue));
    let connects = 0;
    const stop = listenForJobs((q) => {
      if (q === null) connects += 1;
      if (q === null || q === queue) boss.notifyWorker(worker);
    });
    cleanups.push(stop);
    await waitUntil("the listener", async () => connects === 1);

    await sendJob(queue, { n: 1 });
    await waitUntil("job 1", async () => got.includes(1), 20_000, 50);
    // The worker has gone back to its hour-long sleep: only an announcement reaches it now.
    await sendJob(queue, { n: 2 });
    await waitUntil("job 2", async () => got.includes(2), 20_000, 50);

    // The listening connection dies; a job sent before it is back has no one to hear it.
    const name = `webwaka-jobs:${process.pid}`;
    const [listener] = await listeners(name);
    expect(listener).toBeDefined();
    await sql("SELECT pg_terminate_backend($1)", [listener!.pid]);
    await waitUntil("the listener gone", async () => (await listeners(name)).length === 0, 10_000, 20);
    await sendJob(queue, { n: 3 });
    expect(await listeners(name)).toEqual([]);
    // Reconnecting wakes every worker once: the job is only late, not lost.
    await waitUntil("job 3", async () => got.includes(3), 30_000, 50);
    expect(connects).toBe(2);
    expect(got).toEqual([1, 2, 3]);
  });

  it("the worker process starts a job the web process sends without waiting for its poll", async () => {
    const inst: TestInstance = await createTestInstance("1.0.0");
    cleanups.push(() => stopTestInstance(inst));
    const w: WorkerHandle = startWorker({ JOB_POLL_SECONDS: String(HOUR) });
    cleanups.push(() => w.stop());
    await waitUntil("the worker's job listener", async () => (await listeners(`webwaka-jobs:${w.pid}`)).length === 1, 60_000, 100);

    // Two backups one after the other, each sent through the API (the web process): the second
    // reaches a worker that already fetched and went to sleep for an hour.
    for (const n of [1, 2]) {
      const res = await api("superadmin", "POST", `/api/superadmin/instances/${inst.id}/backup`);
      expect(res.status, res.text).toBe(202);
      const id = (res.json as { backup: { id: string } }).backup.id;
      const done = await waitUntil(`backup ${n}`, async () => {
        const b = await testDb().backup.findUniqueOrThrow({ where: { id } });
        return b.status === "completed" || b.status === "failed" ? b : null;
      }, 60_000, 100);
      expect(done.status, `${done.error ?? ""}\n${w.output()}`).toBe("completed");
    }
  });
});
