import Link from "next/link";
import { pageHref, type PageInfo, type PageQuery } from "@/lib/pagination";
import { buttonClass } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { Input } from "@/components/ui/field";

/** "Page 2 of 20 · 1,003 instances" with previous/next links; an end that has no page is plain text. */
export function Pagination({ basePath, query, info, noun, label }: { basePath: string; query: PageQuery; info: PageInfo; noun: [string, string]; label: string }) {
  const { page, pageCount, total } = info;
  const count = `${total.toLocaleString("en-US")} ${total === 1 ? noun[0] : noun[1]}`;
  const off = `${buttonClass("secondary")} cursor-default text-slate-400`;
  return (
    <nav aria-label={label} className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm">
      <span className="text-slate-600" data-testid="page-status">
        Page {Math.min(page, pageCount)} of {pageCount} · {count}
      </span>
      {pageCount > 1 ? (
        <span className="flex gap-2">
          {page > 1 ? (
            <Link rel="prev" className={buttonClass("secondary")} href={pageHref(basePath, query, Math.min(page - 1, pageCount))}>
              Previous
            </Link>
          ) : (
            <span className={off} aria-disabled="true">
              Previous
            </span>
          )}
          {page < pageCount ? (
            <Link rel="next" className={buttonClass("secondary")} href={pageHref(basePath, query, page + 1)}>
              Next
            </Link>
          ) : (
            <span className={off} aria-disabled="true">
              Next
            </span>
          )}
        </span>
      ) : null}
    </nav>
  );
}

/** A GET form that searches by name; a new search starts again at page 1. */
export function NameSearch({ basePath, query, label }: { basePath: string; query: PageQuery; label: string }) {
  return (
    <form method="get" action={basePath} role="search" aria-label={label} className="mb-4 flex flex-wrap items-end gap-2">
      <div className="w-64">
        <label htmlFor="name-search" className="mb-1 block text-sm font-medium text-slate-800">
          Instance name
        </label>
        <Input id="name-search" name="q" type="search" defaultValue={query.q ?? ""} placeholder="part of a name" maxLength={100} />
      </div>
      {query.pageSize ? <input type="hidden" name="pageSize" value={query.pageSize} /> : null}
      <button type="submit" className={buttonClass("primary")}>
        Search
      </button>
      {query.q ? (
        <Link href={pageHref(basePath, { pageSize: query.pageSize }, 1)} className={buttonClass("ghost")}>
          Clear
        </Link>
      ) : null}
    </form>
  );
}

/** What a page says when its `?page=` or `?q=` cannot be read, or asks past the last page. */
export function PageProblem({ basePath, problem, info, query }: { basePath: string; problem: string | null; info?: PageInfo; query?: PageQuery }) {
  if (problem) {
    return (
      <Alert>
        The page address is not valid: {problem}.{" "}
        <Link className="underline" href={basePath}>
          Go to the first page
        </Link>
        .
      </Alert>
    );
  }
  if (!info || !query || info.page <= info.pageCount) return null;
  return (
    <Alert tone="info">
      There is no page {info.page}: {info.pageCount === 1 ? "there is only one" : `there are ${info.pageCount}`}.{" "}
      <Link className="underline" href={pageHref(basePath, query, info.pageCount)}>
        Go to the last page
      </Link>
      .
    </Alert>
  );
}
