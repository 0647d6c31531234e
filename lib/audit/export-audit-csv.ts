import "server-only";
import pg from "pg";
import { Prisma } from "@/generated/prisma/client";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { actionPrefix, auditPageSql, findPrefixedActions, type AuditFilterValues } from "@/lib/audit/audit-query";
import { logError } from "@/lib/log";

export const CSV_COLUMNS = ["id", "createdAt", "actorType", "actorId", "actorLabel", "action", "resourceType", "resourceId", "result", "ip", "metadata", "hash"] as const;

/** Bytes gathered before a chunk goes to the response. */
export const EXPORT_CHUNK_BYTES = 256 * 1024;

// The database writes the CSV itself (COPY … TO STDOUT), on a connection of its own, and the
// rows stream through to the response: reading them into JavaScript objects and writing each
// line there cost several times what `psql \copy` does. Every cell is quoted (FORCE_QUOTE, and
// NULL written as an empty text), its quotes doubled. A text a spreadsheet would run as a formula
// (it starts with = + - @, a tab or a carriage return) gets a leading apostrophe. `createdAt` is
// written as JavaScript's toISOString() does; the metadata as its stored JSON text, the very text
// its entry's hash covers (hash version 2).
const FORMULA_STARTS = Prisma.raw("61, 43, 45, 64, 9, 13");
const text = (expr: Prisma.Sql) => Prisma.sql`CASE WHEN ascii(${expr}) IN (${FORMULA_STARTS}) THEN '''' || ${expr} ELSE coalesce(${expr}, '') END`;

const g = globalThis as unknown as { auditExportPool?: pg.Pool };

/** Exports hold a connection for as long as the client reads; they get a small pool of their own. */
function exportPool(): pg.Pool {
  if (!g.auditExportPool) {
    g.auditExportPool = new pg.Pool({ connectionString: getEnv().DATABASE_URL, max: 4, idleTimeoutMillis: 10_000 });
    g.auditExportPool.on("error", (e) => logError("an audit export connection failed", e));
  }
  return g.auditExportPool;
}

// COPY takes no bind parameters, so the filter's values are written into the statement as
// literals: texts escaped by pg's escapeLiteral, the rest only of types that cannot carry text.
function literal(v: unknown): string {
  if (typeof v === "string") return pg.escapeLiteral(v);
  if (typeof v === "bigint") return `${v.toString()}::bigint`;
  if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
  if (v instanceof Date && !Number.isNaN(v.getTime())) return `${pg.escapeLiteral(v.toISOString())}::timestamptz`;
  throw new Error(`an audit export cannot inline a ${typeof v}`);
}

export function inlineSql(sql: Prisma.Sql): string {
  return sql.text.replace(/\$(\d+)/g, (_, n: string) => literal(sql.values[Number(n) - 1]));
}

export function exportCopySql(f: AuditFilterValues, prefixActions?: string[] | null): string {
  const page = auditPageSql(f, null, null, prefixActions);
  const select = Prisma.sql`SELECT p.id, to_char(p."createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), p."actorType",
      ${text(Prisma.sql`p."actorId"`)}, ${text(Prisma.sql`p."actorLabel"`)}, ${text(Prisma.sql`p.action`)}, ${text(Prisma.sql`p."resourceType"`)},
      ${text(Prisma.sql`p."resourceId"`)}, p.result, ${text(Prisma.sql`p.ip`)}, ${text(Prisma.sql`p.metadata_text`)}, p.hash
    FROM (SELECT q.*, q.metadata::text AS metadata_text FROM (${page}) AS q OFFSET 0) AS p`;
  return `COPY (${inlineSql(select)}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)`;
}

type Sink = { chunk: (b: Buffer) => boolean; end: () => void; fail: (e: unknown) => void };

/**
 * COPY … TO STDOUT through pg's Submittable interface (as pg-query-stream does for rows). The
 * server sends each row as one CopyData message ending in "\n", written here as "\r\n". When the
 * sink is full, the socket is paused: the server then waits, so memory stays at one chunk.
 */
class CopyOut {
  private buf: Buffer;
  private size = 0;
  private done = false;
  private socket: { pause(): void; resume(): void } | null = null;

  constructor(
    readonly text: string,
    private readonly sink: Sink,
    private readonly chunkBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(chunkBytes + 1024);
  }

  submit(connection: { query(text: string): void; stream: { pause(): void; resume(): void } }): void {
    this.socket = connection.stream;
    connection.query(this.text);
  }

  resume(): void {
    this.socket?.resume();
  }

  /** The reader went away: drop what still arrives, and let the socket drain so it can close. */
  abort(): void {
    this.done = true;
    this.size = 0;
    this.socket?.resume();
  }

  private flush(): void {
    if (this.size === 0) return;
    const out = this.buf.subarray(0, this.size);
    this.buf = Buffer.allocUnsafe(this.chunkBytes + 1024);
    this.size = 0;
    if (!this.sink.chunk(out) && !this.done) this.socket?.pause();
  }

  handleCopyData(msg: { chunk: Buffer }): void {
    if (this.done) return;
    // A view into pg's read buffer, which the next read overwrites: copied out at once.
    const row = msg.chunk;
    const body = row[row.length - 1] === 0x0a ? row.length - 1 : row.length;
    if (this.size + body + 2 > this.buf.length) {
      this.flush();
      if (body + 2 > this.buf.length) this.buf = Buffer.allocUnsafe(body + 2);
    }
    row.copy(this.buf, this.size, 0, body);
    this.size += body;
    if (body < row.length) {
      this.buf[this.size++] = 0x0d;
      this.buf[this.size++] = 0x0a;
    }
    if (this.size >= this.chunkBytes) this.flush();
  }

  handleError(e: unknown): void {
    if (this.done) return;
    this.done = true;
    this.socket?.resume();
    this.sink.fail(e);
  }

  handleReadyForQuery(): void {
    if (this.done) return;
    this.done = true;
    this.flush();
    this.sink.end();
  }

  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
}

/**
 * Every matching entry as CSV, newest first, in one COPY: one snapshot, streamed. The response
 * pulls; while it cannot take more, the database connection is paused, so an export of a million
 * entries holds one chunk of memory however slowly the client reads. `chunkBytes` is for tests.
 */
export function exportAuditCsv(actor: Actor | null, f: AuditFilterValues, opts: { chunkBytes?: number } = {}): ReadableStream<Uint8Array> {
  requirePermission(actor, "audit:read");
  let client: pg.PoolClient | null = null;
  let copy: CopyOut | null = null;
  const release = (broken: boolean) => {
    client?.release(broken);
    client = null;
  };
  return new ReadableStream<Uint8Array>(
    {
      async start(controller) {
        controller.enqueue(Buffer.from(CSV_COLUMNS.join(",") + "\r\n"));
        try {
          const prefix = actionPrefix(f.action);
          const actions = prefix && !f.actor && !f.resourceId ? await findPrefixedActions(getDb(), prefix) : undefined;
          const sql = exportCopySql(f, actions);
          client = await exportPool().connect();
          copy = new CopyOut(
            sql,
            {
              chunk: (b) => {
                controller.enqueue(b);
                return (controller.desiredSize ?? 0) > 0;
              },
              end: () => {
                release(false);
                controller.close();
              },
              fail: (e) => {
                logError("an audit export failed", e);
                release(true);
                controller.error(new Error("The export failed; see the server log."));
              },
            },
            opts.chunkBytes ?? EXPORT_CHUNK_BYTES,
          );
          client.query(copy as unknown as pg.Submittable);
        } catch (e) {
          logError("an audit export could not start", e);
          release(true);
          controller.error(new Error("The export could not start; see the server log."));
        }
      },
      pull() {
        copy?.resume();
      },
      cancel() {
        // The client went away: dropping the connection ends the COPY on the server.
        copy?.abort();
        release(true);
      },
    },
    { highWaterMark: 2 },
  );
}
