// Incremental verification from a checkpoint (lib/audit/verify-incremental.ts): only entries newer
// than the last verified one are read, plus that entry itself. Tampering is done as the owner with
// the triggers off, as only a superuser can, and put back after each test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { getDb } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record-audit";
import { verifyAuditChainIncremental } from "@/lib/audit/verify-incremental";
import { readVerifiedCheckpoint, requestFullVerification } from "@/lib/audit/verifications";
import { runFullVerification } from "@/lib/audit/run-full-verification";
import { OWNER_DATABASE_URL } from "@/test/support/env";
import { actorFor } from "@/test/support/actors";
import { drainFullVerification } from "@/test/support/audit-verify";
import { withPgClient } from "@/scripts/lib/ensure-database";
import type { Actor } from "@/lib/auth/actor";

const system = { type: "system" as const, label: "incremental verify test" };
let viewer: Actor | null = null;
let admin: Actor | null = null;

/** As the owner, with the triggers off; the statements run in one transaction. */
async function behindTheTriggers<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  return withPgClient(OWNER_DATABASE_URL, async (c) => {
    await c.query("BEGIN");
    await c.query("SET LOCAL session_replication_role = replica");
    const out = await fn(c);
    await c.query("COMMIT");
    return out;
  });
}

async function write(n: number, action = "test.incremental.entry"): Promise<{ id: bigint; seq: bigint; hash: string }[]> {
  const db = getDb();
  const out = [];
  for (let i = 0; i < n; i++) {
    const { id } = await db.$transaction((tx) => recordAudit(tx, system, { action, resourceType: "test", metadata: { i } }));
    const row = await db.auditLog.findUniqueOrThrow({ where: { id }, select: { id: true, seq: true, hash: true } });
    out.push({ id: row.id, seq: row.seq!, hash: row.hash });
  }
  return out;
}

async function setMetadata(id: bigint, metadata: object): Promise<void> {
  await behindTheTriggers((c) => c.query("UPDATE audit_logs SET metadata = $2 WHERE id = $1", [id.toString(), JSON.stringify(metadata)]));
}

/** Brings the checkpoint to the newest entry. */
async function catchUp(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const v = await verifyAuditChainIncremental({ actor: viewer });
    expect(v).toMatchObject({ ok: true });
    if (v.ok && v.complete) return;
  }
  throw new Error("the checkpoint did not catch up");
}


beforeAll(async () => {
  viewer = await actorFor("viewer");
  admin = await actorFor("superadmin");
  await drainFullVerification();
});

afterAll(async () => {
  await getDb().$disconnect();
});

describe("incremental verification", () => {
  it("reads nothing but the checkpoint's entry when nothing changed, and records no new checkpoint", async () => {
    await write(1);
    await catchUp();
    const before = await getDb().auditVerification.count();
    const v = await verifyAuditChainIncremental({ actor: viewer });
    expect(v).toMatchObject({ ok: true, mode: "incremental", checked: 0, complete: true, remaining: 0 });
    if (!v.ok) return;
    expect(v.from?.seq).toBe(v.lastSeq);
    expect(v.checkpoint?.seq).toBe(v.lastSeq);
    expect(await getDb().auditVerification.count()).toBe(before);
  });

  it("walks only the new entries and moves the checkpoint to the newest", async () => {
    await catchUp();
    const from = await readVerifiedCheckpoint();
    const fresh = await write(3);
    const v = await verifyAuditChainIncremental({ actor: viewer });
    expect(v).toMatchObject({ ok: true, checked: 3, lastSeq: Number(fresh[2]!.seq), lastHash: fresh[2]!.hash, from: { seq: from!.seq } });
    expect(await readVerifiedCheckpoint()).toMatchObject({ seq: Number(fresh[2]!.seq), hash: fresh[2]!.hash, kind: "incremental" });
  });

  it("stops after its limit and goes on from there next time", async () => {
    await catchUp();
    const fresh = await write(5);
    expect(await verifyAuditChainIncremental({ actor: viewer, limit: 2 })).toMatchObject({ ok: true, checked: 2, complete: false, remaining: 3, lastSeq: Number(fresh[1]!.seq) });
    expect(await verifyAuditChainIncremental({ actor: viewer, limit: 2 })).toMatchObject({ ok: true, checked: 2, lastSeq: Number(fresh[3]!.seq) });
    expect(await verifyAuditChainIncremental({ actor: viewer })).toMatchObject({ ok: true, checked: 1, complete: true });
  });

  it("finds the newest entry tampered with", async () => {
    await catchUp();
    const [victim] = await write(1);
    await setMetadata(victim!.id, { i: 666 });
    try {
      expect(await verifyAuditChainIncremental({ actor: viewer })).toMatchObject({ ok: false, problem: "hash_mismatch", brokenAtId: victim!.id.toString() });
    } finally {
      await setMetadata(victim!.id, { i: 0 });
    }
    expect(await verifyAuditChainIncremental({ actor: viewer })).toMatchObject({ ok: true, checked: 1 });
  });

  it("finds the checkpoint's own entry changed, even with its hash recomputed", async () => {
    await write(1);
    await catchUp();
    const cp = (await readVerifiedCheckpoint())!;
    const row = await getDb().auditLog.findUniqueOrThrow({ where: { seq: BigInt(cp.seq) } });
    // Content only: the entry no longer matches its hash.
    await setMetadata(row.id, { i: 777 });
    try {
      expect(await verifyAuditChainIncremental({ actor: viewer })).toMatchObject({ ok: false, problem: "hash_mismatch", brokenAtId: row.id.toString() });
      // Content and hash, and the chain's head with them: a consistent rewrite, but not the entry verified.
      await behindTheTriggers(async (c) => {
        await c.query("UPDATE audit_logs a SET hash = audit_entry_hash_v2(a.seq, a.prev_hash, a) WHERE id = $1", [row.id.toString()]);
        await c.query("UPDATE audit_chain.head SET hash = (SELECT hash FROM audit_logs WHERE id = $1) WHERE seq = $2", [row.id.toString(), cp.seq]);
      });
      expect(await verifyAuditChainIncremental({ actor: viewer })).toMatchObject({ ok: false, problem: "verified_entry_changed", brokenAtId: row.id.toString() });
    } finally {
      await behindTheTriggers(async (c) => {
        await c.query("UPDATE audit_logs SET metadata = $2, hash = $3 WHERE id = $1", [row.id.toString(), JSON.stringify(row.metadata), row.hash]);
        await c.query("UPDATE audit_chain.head SET hash = $1 WHERE seq = $2", [row.hash, cp.seq]);
      });
    }
    expect(await verifyAuditChainIncremental({ actor: viewer })).toMatchObject({ ok: true, checked: 0 });
  });

  it("finds a truncated tail, the checkpoint's entry deleted with it or not", async () => {
    await catchUp();
    const cp = (await readVerifiedCheckpoint())!;
    await write(2);
    for (const fromSeq of [cp.seq + 1, cp.seq]) {
      const removed = await behindTheTriggers(async (c) => (await c.query<Record<string, unknown>>("DELETE FROM audit_logs WHERE seq >= $1 RETURNING *", [fromSeq])).rows);
      try {
        expect(await verifyAuditChainIncremental({ actor: viewer })).toMatchObject({ ok: false, problem: "tail_truncated" });
      } finally {
        await behindTheTriggers(async (c) => {
          for (const r of removed) {
            const cols = Object.keys(r);
            await c.query(`INSERT INTO audit_logs (${cols.map((k) => `"${k}"`).join(", ")}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(", ")})`, cols.map((k) => r[k]));
          }
        });
      }
    }
    expect(await verifyAuditChainIncremental({ actor: viewer })).toMatchObject({ ok: true, checked: 2 });
  });

  it("does not see an entry behind the checkpoint changed; a full verification does, and voids the checkpoint", async () => {
    const [old] = await write(1);
    await write(2);
    await catchUp();
    await setMetadata(old!.id, { i: 999 });
    try {
      // Documented: an incremental verification covers new entries and its starting entry only.
      expect(await verifyAuditChainIncremental({ actor: viewer })).toMatchObject({ ok: true, checked: 0 });
      const { verification } = await requestFullVerification({ actor: admin });
      expect(await runFullVerification(verification.id, "test-worker")).toBe(true);
      const row = await getDb().auditVerification.findUniqueOrThrow({ where: { id: verification.id } });
      expect(row).toMatchObject({ status: "failed", problem: "hash_mismatch", brokenAtId: old!.id, activeFull: null });
      expect(await getDb().auditLog.findFirst({ where: { action: "audit.verify.full.fail", metadata: { path: ["verificationId"], equals: verification.id } } })).not.toBeNull();
      // Every checkpoint before the failure is void: verification starts from the chain's start again.
      expect(await readVerifiedCheckpoint()).toBeNull();
      expect(await verifyAuditChainIncremental({ actor: viewer })).toMatchObject({ ok: false, problem: "hash_mismatch", brokenAtId: old!.id.toString(), from: null });
    } finally {
      await setMetadata(old!.id, { i: 0 });
    }
    const { verification } = await requestFullVerification({ actor: admin });
    expect(await runFullVerification(verification.id, "test-worker")).toBe(true);
    const passed = await getDb().auditVerification.findUniqueOrThrow({ where: { id: verification.id } });
    expect(passed).toMatchObject({ status: "passed", problem: null });
    expect(passed.checked).toBe(passed.total);
    expect(await readVerifiedCheckpoint()).toMatchObject({ seq: Number(passed.throughSeq), kind: "full" });
    // The job's own audit entry is the one entry after its checkpoint.
    expect(await verifyAuditChainIncremental({ actor: viewer })).toMatchObject({ ok: true, checked: 1, complete: true });
  });
});
