// One job attempt: a payload that is not what its queue carries is dropped before any handler
// runs; a handler's failure goes back to pg-boss only for a queue that retries (backups).
import type PgBoss from "pg-boss";
import { describe, expect, it } from "vitest";
import { QUEUES } from "@/lib/jobs/queue";
import { attempt } from "@/worker/start-worker";

const job = (data: unknown) => ({ id: "job-1", name: QUEUES.run, data }) as unknown as PgBoss.Job<unknown>;

describe("a job attempt", () => {
  it.each([[null], [{}], [{ runId: "" }], [{ runId: 42 }], [{ runId: "r1", extra: "x" }], ["r1"]])("drops the payload %j without running the handler", async (data) => {
    const seen: unknown[] = [];
    await attempt(QUEUES.run, job(data), async (p) => seen.push(p), false);
    expect(seen).toEqual([]);
  });

  it("hands a well-formed payload to the handler", async () => {
    const seen: unknown[] = [];
    await attempt(QUEUES.run, job({ runId: "r1" }), async (p) => seen.push(p), false);
    expect(seen).toEqual([{ runId: "r1" }]);
  });

  it("keeps a run's failure from pg-boss, and gives a backup's back for its retry", async () => {
    const fail = async () => {
      throw new Error("the database went away");
    };
    await expect(attempt(QUEUES.run, job({ runId: "r1" }), fail, false)).resolves.toBeUndefined();
    await expect(attempt(QUEUES.backup, job({ backupId: "b1" }), fail, true)).rejects.toThrow("the database went away");
  });
});
