import { z } from "zod";
import { MAX_PAGE, MAX_PAGE_SIZE } from "@/lib/pagination";

// Pages parse these straight from the URL, so the schema itself refuses what PostgreSQL cannot
// compare (NUL) and anything that is not a small positive whole number.
const search = z
  .string()
  .trim()
  .max(100)
  .refine((v) => !v.includes("\u0000"), "must not contain a NUL character")
  .optional()
  .transform((v) => (v === "" ? undefined : v));

const whole = (max: number) => z.string().trim().regex(/^\d{1,9}$/, "must be a whole number").transform(Number).pipe(z.number().int().min(1).max(max));

/** `?q=&page=&pageSize=`; each absent or empty value takes its default. */
export const pageQuerySchema = z.object({
  q: search,
  page: z.preprocess((v) => (v === "" ? undefined : v), whole(MAX_PAGE).optional()),
  pageSize: z.preprocess((v) => (v === "" ? undefined : v), whole(MAX_PAGE_SIZE).optional()),
});

type Search = Record<string, string | string[] | undefined>;

/** The page query of a page's searchParams (first value of each), parsed: never throws. */
export function parsePageSearch(raw: Search) {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return pageQuerySchema.safeParse({ q: first(raw.q), page: first(raw.page), pageSize: first(raw.pageSize) });
}

/** A parse failure of the page query in words, for the page that shows it. */
export function describePageProblem(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ");
}
