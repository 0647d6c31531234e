// Numbered pages over a list ordered by a unique key (instance names), for the pages and API
// routes that list the fleet. A page number, unlike a cursor, gives working "previous" links and
// "page 3 of 20"; at fleet sizes (thousands of rows, ordered by an indexed unique column) the
// OFFSET it costs is small. The query's schema is in page-query.ts: this module also runs in the
// browser, and zod there probes for eval, which the CSP reports.

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
/** Far past any real fleet, and small enough that page × size stays a safe OFFSET. */
export const MAX_PAGE = 100_000;

export type PageQuery = { q?: string | undefined; page?: number | undefined; pageSize?: number | undefined };

export type PageInfo = {
  page: number;
  pageSize: number;
  /** Rows that match the search, on every page. */
  total: number;
  /** At least 1, so that an empty list is "page 1 of 1". */
  pageCount: number;
};

/** SKIP and TAKE for a query, and the page info once the total is known. */
export function pageWindow(query: PageQuery, defaultSize = DEFAULT_PAGE_SIZE): { skip: number; take: number; info: (total: number) => PageInfo } {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? defaultSize;
  return {
    skip: (page - 1) * pageSize,
    take: pageSize,
    info: (total) => ({ page, pageSize, total, pageCount: Math.max(1, Math.ceil(total / pageSize)) }),
  };
}

/** Whether a query asks for a page at all (an API without these params answers the whole list). */
export function asksForPage(query: PageQuery): boolean {
  return query.q !== undefined || query.page !== undefined || query.pageSize !== undefined;
}

/** The href of another page of the same list, keeping the search and a size that was asked for. */
export function pageHref(basePath: string, query: PageQuery, page: number): string {
  const params = new URLSearchParams();
  if (query.q) params.set("q", query.q);
  if (page > 1) params.set("page", String(page));
  if (query.pageSize) params.set("pageSize", String(query.pageSize));
  const s = params.toString();
  return s ? `${basePath}?${s}` : basePath;
}

