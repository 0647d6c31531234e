// The console runs as a role that cannot rewrite the audit log, and the chain's checkpoint gives
// away entries deleted from its tail by someone who can (here: the owner, a superuser).
import { afterAll, describe, expect, it } from "vitest";
import { api, BASE_URL, DATABASE_URL, OWNER_DATABASE_URL } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { getDb } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record-audit";
import { getBoss, stopBoss } from "@/lib/jobs/queue";
import { withPgClient as withClient } from "@/scripts/lib/ensure-database";

const system = { type: "system" as const, label: "checkpoint test" };

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${BASE_URL}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  expect(line, `${name} on /metrics`).toBeDefined();
  return Number(line!.split(" ")[1]);
}

describe("the app role", () => {
  afterAll(async () => {
    await getDb().$disconnect();
  });

  it("is what the suite, the server and pg-boss connect as", async () => {
    expect((await getDb().$queryRaw<{ u: string }[]>`SELECT current_user AS u`)[0]?.u).toBe("webwaka_app");
    expect((await testDb().$queryRaw<{ u: string }[]>`SELECT current_user AS u`)[0]?.u).toBe("webwaka_app");
    // pg-boss makes its schema on start, if no process here has yet: as the app role, it owns it.
    await getBoss();
    await stopBoss();
    // The server's pool keeps its connections open for a while after a request.
    expect((await api("viewer", "GET", "/api/superadmin/audit-logs?limit=1")).status).toBe(200);
    await withClient(OWNER_DATABASE_URL, async (c) => {
      const { rows } = await c.query<{ usename: string }>("SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()");
      expect(rows.map((r) => r.usename)).toEqual(["webwaka_app"]);
      const owner = await c.query<{ owner: string }>("SELECT nspowner::regrole::text AS owner FROM pg_namespace WHERE nspname = 'pgboss'");
      expect(owner.rows[0]?.owner).toBe("webwaka_app");
      const table = await c.query<{ owner: string }>("SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'audit_logs'");
      expect(table.rows[0]?.owner).toBe("postgres");
    });
  });

  it("cannot change or remove audit entries, disable their triggers, or touch the checkpoint", async () => {
    await withClient(DATABASE_URL, async (c) => {
      const denied = /permission denied|must be owner/;
      await expect(c.query("UPDATE audit_logs SET action = 'tampered' WHERE id = (SELECT max(id) FROM audit_logs)")).rejects.toThrow(denied);
      await expect(c.query("DELETE FROM audit_logs WHERE id = (SELECT max(id) FROM audit_logs)")).rejects.toThrow(denied);
      await expect(c.query("TRUNCATE audit_logs")).rejects.toThrow(denied);
      await expect(c.query("ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_no_delete")).rejects.toThrow(/must be owner/);
      await expect(c.query("ALTER TABLE audit_logs DISABLE TRIGGER ALL")).rejects.toThrow(/must be owner/);
      await expect(c.query("SET session_replication_role = replica")).rejects.toThrow(denied);
      await expect(c.query("UPDATE audit_chain.head SET seq = seq - 1")).rejects.toThrow(denied);
      await expect(c.query("UPDATE audit_chain.head SET seq = seq + 1")).rejects.toThrow(denied);
      await expect(c.query("DELETE FROM audit_chain.head")).rejects.toThrow(denied);
      await expect(c.query("INSERT INTO audit_chain.pending VALUES (1)")).rejects.toThrow(denied);
      // What it may do: read both.
      const { rows } = await c.query<{ seq: string }>("SELECT seq::text FROM audit_chain.head");
      expect(Number(rows[0]?.seq)).toBeGreaterThan(0);
    });
  });
});

describe("the chain's checkpoint", () => {
  it("moves only forward, even for the owner", async () => {
    await withClient(OWNER_DATABASE_URL, async (c) => {
      await expect(c.query("UPDATE audit_chain.head SET seq = seq - 1")).rejects.toThrow(/only moves forward/);
      await expect(c.query("UPDATE audit_chain.head SET hash = 'x'")).rejects.toThrow(/only moves forward/);
      await expect(c.query("DELETE FROM audit_chain.head")).rejects.toThrow(/only moves forward/);
      await expect(c.query("TRUNCATE audit_chain.head")).rejects.toThrow(/only moves forward/);
    });
  });

  it("follows each committed entry", async () => {
    const { id } = await getDb().$transaction((tx) => recordAudit(tx, system, { action: "test.checkpoint.follow", resourceType: "test" }));
    const row = await testDb().auditLog.findUniqueOrThrow({ where: { id } });
    const res = await api("viewer", "GET", "/api/superadmin/audit-logs/verify");
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ ok: true, checkpoint: { seq: Number(row.seq), hash: row.hash }, lastHash: row.hash });
    expect(await metric("webwaka_console_audit_head_seq")).toBe(Number(row.seq));
    expect(await metric("webwaka_console_audit_tail_missing")).toBe(0);
  });

  it("gives away entries deleted from the tail, in verify and on /metrics", async () => {
    const db = getDb();
    const first = await db.$transaction((tx) => recordAudit(tx, system, { action: "test.checkpoint.doomed", resourceType: "test", metadata: { n: 1 } }));
    await db.$transaction((tx) => recordAudit(tx, system, { action: "test.checkpoint.doomed", resourceType: "test", metadata: { n: 2 } }));
    const { seq: fromSeq } = await testDb().auditLog.findUniqueOrThrow({ where: { id: first.id } });

    // Behind the triggers' back, as only a superuser can; the rows are put back afterwards.
    const removed = await withClient(OWNER_DATABASE_URL, async (c) => {
      await c.query("BEGIN");
      await c.query("SET LOCAL session_replication_role = replica");
      const { rows } = await c.query<Record<string, unknown>>("DELETE FROM audit_logs WHERE seq >= $1 RETURNING *", [fromSeq!.toString()]);
      await c.query("COMMIT");
      return rows;
    });
    expect(removed.length).toBeGreaterThanOrEqual(2);
    try {
      const res = await api("viewer", "GET", "/api/superadmin/audit-logs/verify");
      expect(res.status, res.text).toBe(409);
      expect(res.json).toMatchObject({ ok: false, problem: "tail_truncated" });
      expect(await metric("webwaka_console_audit_tail_missing")).toBe(removed.length);
    } finally {
      await withClient(OWNER_DATABASE_URL, async (c) => {
        await c.query("BEGIN");
        await c.query("SET LOCAL session_replication_role = replica");
        for (const r of removed) {
          const cols = Object.keys(r);
          await c.query(`INSERT INTO audit_logs (${cols.map((k) => `"${k}"`).join(", ")}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(", ")})`, cols.map((k) => r[k]));
        }
        await c.query("COMMIT");
      });
    }
    expect((await api("viewer", "GET", "/api/superadmin/audit-logs/verify")).json).toMatchObject({ ok: true });
    expect(await metric("webwaka_console_audit_tail_missing")).toBe(0);
  });
});
