// The full re-verification job (lib/audit/run-full-verification.ts): one at a time, its progress
// stored as it walks, its lease taken over only once it lapsed, and resumed from its progress.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db";
import { requestFullVerification } from "@/lib/audit/verifications";
import { requeueStalledVerifications, runFullVerification } from "@/lib/audit/run-full-verification";
import { actorFor } from "@/test/support/actors";
import { drainFullVerification } from "@/test/support/audit-verify";
import { getBoss, QUEUES, stopBoss } from "@/lib/jobs/queue";
import type { Actor } from "@/lib/auth/actor";

let admin: Actor | null = null;


async function headSeq(): Promise<number> {
  const [h] = await getDb().$queryRaw<{ seq: bigint }[]>`SELECT seq FROM audit_chain.head`;
  return Number(h!.seq);
}

beforeAll(async () => {
  admin = await actorFor("superadmin");
  await drainFullVerification();
  // Enough entries for several pages of the walk.
  await getDb().$executeRaw`
    INSERT INTO audit_logs (created_at, actor_type, actor_label, action, resource_type, resource_id, result, metadata, prev_hash, hash)
    SELECT now(), 'system', 'full verify test', 'test.full.bulk', 'test', g::text, 'success', jsonb_build_object('g', g), '', ''
      FROM generate_series(1, 4000) AS g`;
});

afterAll(async () => {
  await drainFullVerification();
  await stopBoss();
  await getDb().$disconnect();
});

describe("full verification", () => {
  it("is for superadmins only", async () => {
    for (const who of ["viewer", "approver"] as const) {
      await expect(requestFullVerification({ actor: await actorFor(who) })).rejects.toMatchObject({ code: "forbidden" });
    }
    expect(await getDb().auditVerification.count({ where: { activeFull: true } })).toBe(0);
  });

  it("runs one at a time: a second request gets the one queued, and only the first is audited and queued", async () => {
    const first = await requestFullVerification({ actor: admin });
    const second = await requestFullVerification({ actor: admin });
    expect(first).toMatchObject({ started: true, verification: { status: "queued", kind: "full", requestedBy: "admin@webwaka.local" } });
    expect(second).toMatchObject({ started: false, verification: { id: first.verification.id } });
    const audited = await getDb().auditLog.count({ where: { action: "audit.verify.full.request", metadata: { path: ["verificationId"], equals: first.verification.id } } });
    expect(audited).toBe(1);
    const jobs = await getDb().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${QUEUES.auditVerify} AND data->>'verificationId' = ${first.verification.id}`;
    expect(jobs[0]?.n).toBe(1);
    // Concurrent requests agree on one as well.
    const all = await Promise.all(Array.from({ length: 5 }, () => requestFullVerification({ actor: admin })));
    expect(new Set(all.map((r) => r.verification.id))).toEqual(new Set([first.verification.id]));
    await drainFullVerification();
  });

  it("stores its progress as it walks, and ends with every entry checked", async () => {
    const { verification } = await requestFullVerification({ actor: admin });
    const seen: { checked: number; total: number | null }[] = [];
    let done = false;
    const poll = (async () => {
      while (!done) {
        const r = await getDb().auditVerification.findUniqueOrThrow({ where: { id: verification.id } });
        if (r.status === "running") seen.push({ checked: r.checked, total: r.total });
        await new Promise((res) => setTimeout(res, 2));
      }
    })();
    const total = await headSeq();
    expect(await runFullVerification(verification.id, "test-worker")).toBe(true);
    done = true;
    await poll;
    const row = await getDb().auditVerification.findUniqueOrThrow({ where: { id: verification.id } });
    expect(row).toMatchObject({ status: "passed", activeFull: null, leaseOwner: null, total, checked: total, throughSeq: BigInt(total) });
    // Seen part-way: more than none and fewer than all, against the total fixed at the start.
    expect(seen.some((s) => s.total === total && s.checked > 0 && s.checked < total), JSON.stringify(seen.slice(0, 20))).toBe(true);
    expect(await getDb().auditLog.count({ where: { action: "audit.verify.full.pass", metadata: { path: ["verificationId"], equals: verification.id } } })).toBe(1);
    // A job delivered again after the end does nothing.
    expect(await runFullVerification(verification.id, "test-worker")).toBe(false);
  });

  it("is left alone while another attempt's lease is live, and resumed from its progress once it lapsed", async () => {
    const { verification } = await requestFullVerification({ actor: admin });
    const mid = await getDb().auditLog.findFirstOrThrow({ where: { seq: { not: null } }, orderBy: { seq: "desc" }, skip: 1000 });
    const midSeq = Number(mid.seq);
    await getDb().auditVerification.update({
      where: { id: verification.id },
      data: { status: "running", leaseOwner: "another-worker", leaseEpoch: 1, leaseExpiresAt: new Date(Date.now() + 60_000), checked: midSeq - 7, throughSeq: mid.seq, throughHash: mid.hash },
    });
    expect(await runFullVerification(verification.id, "test-worker")).toBe(false);
    expect(await getDb().auditVerification.findUniqueOrThrow({ where: { id: verification.id } })).toMatchObject({ leaseOwner: "another-worker", leaseEpoch: 1, status: "running" });

    await getDb().auditVerification.update({ where: { id: verification.id }, data: { leaseExpiresAt: new Date(Date.now() - 1000) } });
    // The sweep queues it again, once, while no job waits for it.
    await getDb().$executeRaw`UPDATE audit_verifications SET created_at = now() - interval '1 minute' WHERE id = ${verification.id}`;
    await getDb().$executeRaw`DELETE FROM pgboss.job WHERE name = ${QUEUES.auditVerify} AND data->>'verificationId' = ${verification.id}`;
    await getBoss();
    expect(await requeueStalledVerifications()).toBe(1);
    expect(await requeueStalledVerifications()).toBe(0);

    const total = await headSeq();
    expect(await runFullVerification(verification.id, "test-worker")).toBe(true);
    const row = await getDb().auditVerification.findUniqueOrThrow({ where: { id: verification.id } });
    // It went on from the entry reached: the count stored then (off by 7 on purpose) grew by what was left.
    expect(row).toMatchObject({ status: "passed", leaseEpoch: 2, checked: total - 7, throughSeq: BigInt(total) });
  });
});
