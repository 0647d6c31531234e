import type { z } from "zod";
import type { PageInfo, PageQuery } from "@/lib/pagination";
import { describePageProblem } from "@/lib/page-query";
import { NameSearch, PageProblem } from "@/components/ui/pagination";

// The frame of the pages that list the fleet a page at a time (instances, calendar): their
// header, what they say when the address cannot be read or asks past the end, and the name search.

/** The page when its `?q=&page=&pageSize=` could not be read. */
export function BadPageAddress({ header, basePath, error }: { header: React.ReactNode; basePath: string; error: z.ZodError }) {
  return (
    <>
      {header}
      <PageProblem basePath={basePath} problem={describePageProblem(error)} />
    </>
  );
}

/** The header, the name search once there is something to search, and the list or, past the last page, a way back. */
export function PagedList({ header, basePath, query, info, searchLabel, children }: { header: React.ReactNode; basePath: string; query: PageQuery; info: PageInfo; searchLabel: string; children: React.ReactNode }) {
  return (
    <>
      {header}
      {info.total > 0 || query.q ? <NameSearch basePath={basePath} query={query} label={searchLabel} /> : null}
      {info.page > info.pageCount ? <PageProblem basePath={basePath} problem={null} info={info} query={query} /> : children}
    </>
  );
}
