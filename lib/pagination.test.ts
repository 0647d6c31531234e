import { describe, expect, it } from "vitest";
import { asksForPage, DEFAULT_PAGE_SIZE, pageHref, pageWindow } from "@/lib/pagination";
import { pageQuerySchema, parsePageSearch } from "@/lib/page-query";

describe("the page query", () => {
  it.each([
    [{}, { q: undefined, page: undefined, pageSize: undefined }],
    [{ q: "", page: "", pageSize: "" }, { q: undefined, page: undefined, pageSize: undefined }],
    [{ q: "  lagos ", page: " 2 ", pageSize: "25" }, { q: "lagos", page: 2, pageSize: 25 }],
    [{ page: "100000", pageSize: "200" }, { q: undefined, page: 100_000, pageSize: 200 }],
  ])("reads %j", (raw, want) => {
    const r = pageQuerySchema.safeParse(raw);
    expect(r.success && r.data).toEqual(want);
  });

  it.each([
    [{ page: "0" }, "page"],
    [{ page: "-1" }, "page"],
    [{ page: "1.5" }, "page"],
    [{ page: "1e3" }, "page"],
    [{ page: "abc" }, "page"],
    [{ page: "0x10" }, "page"],
    [{ page: "100001" }, "page"],
    [{ page: "99999999999999999999" }, "page"],
    [{ pageSize: "0" }, "pageSize"],
    [{ pageSize: "201" }, "pageSize"],
    [{ q: "x".repeat(101) }, "q"],
    [{ q: "a\u0000b" }, "q"],
  ])("refuses %j", (raw, field) => {
    const r = pageQuerySchema.safeParse(raw);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join("."))).toContain(field);
  });

  it("takes the first of repeated search params, and never throws", () => {
    const r = parsePageSearch({ page: ["3", "9"], q: ["a", "b"], other: "x" });
    expect(r.success && r.data).toEqual({ q: "a", page: 3, pageSize: undefined });
    expect(parsePageSearch({ page: ["nope"] }).success).toBe(false);
  });

  it("asks for a page only when one of its params is there", () => {
    expect(asksForPage({})).toBe(false);
    expect(asksForPage({ q: "a" })).toBe(true);
    expect(asksForPage({ page: 1 })).toBe(true);
    expect(asksForPage({ pageSize: 10 })).toBe(true);
  });
});

describe("pageWindow", () => {
  it("skips whole pages and counts pages up, with at least one", () => {
    const w = pageWindow({ page: 3, pageSize: 10 });
    expect([w.skip, w.take]).toEqual([20, 10]);
    expect(w.info(21)).toEqual({ page: 3, pageSize: 10, total: 21, pageCount: 3 });
    expect(w.info(20).pageCount).toBe(2);
    expect(w.info(0).pageCount).toBe(1);
    const d = pageWindow({});
    expect([d.skip, d.take]).toEqual([0, DEFAULT_PAGE_SIZE]);
    const c = pageWindow({ page: 2 }, 25);
    expect([c.skip, c.take, c.info(30).pageCount]).toEqual([25, 25, 2]);
  });
});

describe("pageHref", () => {
  it("keeps the search and a size that was asked for, and leaves page 1 out", () => {
    expect(pageHref("/calendar", {}, 1)).toBe("/calendar");
    expect(pageHref("/calendar", {}, 2)).toBe("/calendar?page=2");
    expect(pageHref("/calendar", { q: "a b&c", page: 4 }, 5)).toBe("/calendar?q=a+b%26c&page=5");
    expect(pageHref("/calendar", { q: "a b&c", page: 4, pageSize: DEFAULT_PAGE_SIZE }, 3)).toBe(`/calendar?q=a+b%26c&page=3&pageSize=${DEFAULT_PAGE_SIZE}`);
    expect(pageHref("/instances", { q: "x", pageSize: 10 }, 1)).toBe("/instances?q=x&pageSize=10");
  });
});
