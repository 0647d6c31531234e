import { AppError } from "@/lib/errors";

// What every edge (REST route, server action) does to input before its zod schema sees it.

export const MAX_BODY_BYTES = 256 * 1024;

const NUL_MESSAGE = "must not contain a NUL character";

/**
 * The paths of strings (values or object keys) in `value` that hold a NUL character. PostgreSQL
 * cannot store NUL in text or jsonb, so such input would fail deep in a query instead of at the edge.
 */
export function findNulPaths(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, path: string[], depth: number) => {
    if (out.length >= 20 || depth > 64) return;
    if (typeof v === "string") {
      if (v.includes("\u0000")) out.push(path.join(".") || "_");
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, [...path, String(i)], depth + 1));
    } else if (v !== null && typeof v === "object") {
      for (const [k, item] of Object.entries(v)) {
        if (k.includes("\u0000")) out.push([...path, k.replaceAll("\u0000", "\\0")].join("."));
        else walk(item, [...path, k], depth + 1);
      }
    }
  };
  walk(value, [], 0);
  return out;
}

/** Field errors for every NUL in `value`, or null when there is none. */
export function nulFieldErrors(value: unknown): Record<string, string[]> | null {
  const paths = findNulPaths(value);
  return paths.length ? Object.fromEntries(paths.map((p) => [p, [NUL_MESSAGE]])) : null;
}

/** Throws validation_failed (422) when any string in `value` holds a NUL character. */
export function rejectNul(value: unknown, message: string): void {
  const fieldErrors = nulFieldErrors(value);
  if (fieldErrors) throw new AppError("validation_failed", message, { fieldErrors });
}

function tooLarge(limit: number): AppError {
  return new AppError("payload_too_large", `The body is larger than ${Math.round(limit / 1024)} KiB.`);
}

/**
 * Reads a request body as UTF-8 text, counting bytes as they arrive and stopping at `limit`, so
 * a huge body costs at most `limit` bytes of memory. A declared Content-Length over the limit is
 * refused before anything is read.
 */
export async function readBodyText(req: Request, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const decoder = new TextDecoder();
  let bytes = 0;
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

const MAX_BIGINT = 2n ** 63n - 1n;

/** A decimal id or cursor that fits PostgreSQL's bigint (0 to 2^63−1), or null for anything else. */
export function parseBigintId(raw: string | null | undefined): bigint | null {
  if (!raw || !/^\d{1,19}$/.test(raw)) return null;
  const n = BigInt(raw);
  return n <= MAX_BIGINT ? n : null;
}
