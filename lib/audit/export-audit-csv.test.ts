// The CSV export, streamed by the database in many chunks, is exactly the text the rules say:
// every cell quoted and its quotes doubled, NULL as "", formulas neutralised, CRLF line ends,
// newest first; and the route answers it with its headers.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDb } from "@/test/support/db";
import { BASE_URL, TOKENS } from "@/test/support/env";
import { getDb } from "@/lib/db";
import { exportAuditCsv } from "@/lib/audit/export-audit-csv";
import type { AuditFilterValues } from "@/lib/audit/audit-query";

const system = { type: "system" as const, label: "export test" };
const HEADER = "id,createdAt,actorType,actorId,actorLabel,action,resourceType,resourceId,result,ip,metadata,hash";

// 3,000 entries, some with every awkward value a cell can hold.
const SEED = `
INSERT INTO audit_logs (created_at, actor_type, actor_id, actor_label, action, resource_type, resource_id, result, metadata, ip, prev_hash, hash)
SELECT '1998-03-01T00:00:00Z'::timestamptz + ((n * 7) % 1000) * interval '1 second' + (n % 3) * interval '1 millisecond',
       (CASE WHEN n % 5 = 0 THEN 'system' ELSE 'user' END)::"ActorType",
       CASE WHEN n % 5 = 0 THEN NULL ELSE 'qa-csv-' || (n % 4) END,
       (ARRAY['=cmd|'' /C calc''!A0', '+1', '-2', '@SUM(1)', E'\\tTab', E'\\rCR', 'a "quoted", comma', E'line\\nbreak', 'Zoë 😀', 'plain@x.test', NULL])[1 + n % 11],
       CASE WHEN n % 2 = 0 THEN 'qa.csv.even' ELSE 'qa.csv.odd' END,
       'qa_csv',
       (ARRAY['r-1', '=HYPERLINK("x")', NULL, 'with "quotes"'])[1 + n % 4],
       (CASE WHEN n % 7 = 0 THEN 'failure' ELSE 'success' END)::"AuditResult",
       CASE WHEN n % 6 = 0 THEN jsonb_build_object('q', 'he said "hi"', 'n', n, 'u', 'é') ELSE jsonb_build_object('n', n, 'list', jsonb_build_array(1, 'two', NULL)) END,
       CASE WHEN n % 3 = 0 THEN '10.0.0.' || (n % 250) END,
       '', ''
  FROM generate_series(1, 3000) AS n`;

type Row = { id: string; createdAt: Date; actorType: string; actorId: string | null; actorLabel: string | null; action: string; resourceType: string; resourceId: string | null; result: string; ip: string | null; metadata: string; hash: string };

// The rules, written again here rather than taken from the code under test.
function cell(v: string | null): string {
  const s = v ?? "";
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
}

async function expectedCsv(where: string): Promise<string> {
  const rows = await testDb().$queryRawUnsafe<Row[]>(
    `SELECT id::text, created_at AS "createdAt", actor_type::text AS "actorType", actor_id AS "actorId", actor_label AS "actorLabel", action,
            resource_type AS "resourceType", resource_id AS "resourceId", result::text AS result, ip, metadata::text AS metadata, hash
       FROM audit_logs WHERE ${where} ORDER BY created_at DESC, audit_logs.id DESC`,
  );
  const lines = rows.map((r) => [r.id, r.createdAt.toISOString(), r.actorType, r.actorId, r.actorLabel, r.action, r.resourceType, r.resourceId, r.result, r.ip, r.metadata, r.hash].map(cell).join(","));
  return [HEADER, ...lines].map((l) => `${l}\r\n`).join("");
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<{ text: string; chunks: number }> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return { text: Buffer.concat(parts).toString("utf8"), chunks: parts.length };
}

beforeAll(async () => {
  await testDb().$executeRawUnsafe(SEED);
}, 60_000);

afterAll(async () => {
  await getDb().$disconnect();
});

describe("the audit CSV export", () => {
  const cases: [string, AuditFilterValues, string][] = [
    ["every entry of a type", { resourceType: "qa_csv" }, "resource_type = 'qa_csv'"],
    ["an action prefix (one branch per action)", { action: "qa.csv.*" }, "left(action, 7) = 'qa.csv.'"],
    ["an actor, as id or label", { actor: "qa-csv-1", from: new Date("1998-01-01T00:00:00Z") }, "(actor_id = 'qa-csv-1' OR actor_label = 'qa-csv-1') AND created_at >= '1998-01-01T00:00:00Z'"],
    ["a label that looks like a formula", { actor: "=cmd|' /C calc'!A0" }, "actor_label = '=cmd|'' /C calc''!A0'"],
    ["a time range and a result", { from: new Date("1998-03-01T00:05:00Z"), to: new Date("1998-03-01T00:10:00Z"), result: "failure" }, "created_at BETWEEN '1998-03-01T00:05:00Z' AND '1998-03-01T00:10:00Z' AND result = 'failure'"],
    ["nothing at all", { resourceType: "qa_none" }, "false"],
  ];

  it.each(cases)("%s: exactly the expected text, in many chunks", async (_name, filter, where) => {
    const expected = await expectedCsv(where);
    const { text, chunks } = await readAll(exportAuditCsv(system, filter, { chunkBytes: 4096 }));
    expect(text).toBe(expected);
    // The header, then one chunk per 4 KiB or so.
    expect(chunks).toBeGreaterThanOrEqual(Math.floor((Buffer.byteLength(expected) - HEADER.length) / 8192) + 1);
  });

  it("the large export really is many chunks", async () => {
    const { chunks, text } = await readAll(exportAuditCsv(system, { resourceType: "qa_csv" }, { chunkBytes: 4096 }));
    expect(text.split("\r\n").length).toBeGreaterThan(3000);
    expect(chunks).toBeGreaterThan(100);
  });

  it("a reader that stops early frees the connection", async () => {
    for (let i = 0; i < 8; i++) {
      const reader = exportAuditCsv(system, { resourceType: "qa_csv" }, { chunkBytes: 4096 }).getReader();
      await reader.read();
      await reader.read();
      await reader.cancel();
    }
    // The export pool holds 4 connections: had the cancelled ones leaked, this would hang.
    const { text } = await readAll(exportAuditCsv(system, { resourceType: "qa_csv", result: "failure" }));
    expect(text).toBe(await expectedCsv("resource_type = 'qa_csv' AND result = 'failure'"));
  }, 60_000);

  it("the route streams the same text, with its headers", async () => {
    const res = await fetch(`${BASE_URL}/api/superadmin/audit-logs/export?resourceType=qa_csv&action=${encodeURIComponent("qa.csv.*")}`, { headers: { authorization: `Bearer ${TOKENS.viewer}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="audit-log-.*\.csv"/);
    expect(await res.text()).toBe(await expectedCsv("resource_type = 'qa_csv' AND left(action, 7) = 'qa.csv.'"));
  });

  // Raw HTTP, so the test sees the bytes on the wire and decodes them itself (fetch would do it).
  function rawGet(acceptEncoding: string | null): Promise<{ status: number; encoding: string | undefined; body: Buffer; cacheControl: string | undefined }> {
    const url = new URL(`${BASE_URL}/api/superadmin/audit-logs/export?resourceType=qa_csv`);
    const headers: Record<string, string> = { authorization: `Bearer ${TOKENS.viewer}` };
    if (acceptEncoding !== null) headers["accept-encoding"] = acceptEncoding;
    return new Promise((resolve, reject) => {
      const req = http.get(url, { headers }, (res) => {
        const parts: Buffer[] = [];
        res.on("data", (b: Buffer) => parts.push(b));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, encoding: res.headers["content-encoding"], body: Buffer.concat(parts), cacheControl: res.headers["cache-control"] }));
        res.on("error", reject);
      });
      req.on("error", reject);
    });
  }

  it.each(["gzip, deflate, br", "gzip", null])("Accept-Encoding %s: answered uncompressed, the same text", async (accept) => {
    const res = await rawGet(accept);
    expect(res.status).toBe(200);
    expect(res.encoding).toBeUndefined();
    expect(res.cacheControl).toBe("no-store, no-transform");
    expect(res.body.toString("utf8")).toBe(await expectedCsv("resource_type = 'qa_csv'"));
  });
});
