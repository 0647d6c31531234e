import "server-only";
import { randomBytes } from "node:crypto";
import type { Tx } from "@/lib/db";

// Many rows in one statement: INSERT … SELECT FROM unnest($1::type[], $2::type[], …), one array
// parameter per column, so the statement's size does not grow with the rows' number and the plan
// is the same for every batch. Values go as text and are cast by the column's type (enums, jsonb,
// timestamptz included), so no value is ever spliced into the SQL text.

let counter = Math.floor(Math.random() * 36 ** 4);

/**
 * A new id of Prisma's cuid shape (25 characters, "c" then time, a counter and randomness), for
 * rows written outside Prisma's create.
 */
export function newId(): string {
  counter = (counter + 1) % 36 ** 4;
  const time = Date.now().toString(36).padStart(8, "0").slice(-8);
  const rand = randomBytes(8).readBigUInt64BE().toString(36).padStart(12, "0").slice(-12);
  return `c${time}${counter.toString(36).padStart(4, "0")}${rand}`;
}

/** Column name → PostgreSQL type of the column (`text`, `int`, `boolean`, `timestamptz`, `jsonb`, `"EnumName"`…). */
export type Columns = Record<string, string>;

const IDENT = /^[a-z_][a-z0-9_]*$/;
const TYPE = /^("[A-Za-z]+"|[a-z]+)$/;

function cell(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") return JSON.stringify(v);
  return v;
}

/**
 * Inserts `rows` (objects keyed by column name) into `table` in one statement; `tail` is appended
 * as it is (`ON CONFLICT … DO NOTHING RETURNING …`). Returns the rows RETURNING gave.
 */
export async function bulkInsert<R = unknown>(tx: Tx, table: string, columns: Columns, rows: Record<string, unknown>[], tail = ""): Promise<R[]> {
  if (rows.length === 0) return [];
  const names = Object.keys(columns);
  for (const n of [table, ...names]) if (!IDENT.test(n)) throw new Error(`bulkInsert: ${n} is not a plain identifier.`);
  for (const t of Object.values(columns)) if (!TYPE.test(t)) throw new Error(`bulkInsert: ${t} is not a plain type name.`);
  const arrays = names.map((n) => rows.map((r) => cell(r[n])));
  const casts = names.map((n, i) => `$${i + 1}::${columns[n]}[]`).join(", ");
  const sql = `INSERT INTO ${table} (${names.join(", ")}) SELECT * FROM unnest(${casts}) ${tail}`;
  return tx.$queryRawUnsafe<R[]>(sql, ...arrays);
}

/** Splits `xs` into chunks of at most `size`. */
export function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
