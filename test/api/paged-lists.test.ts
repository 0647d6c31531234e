// Paging of the fleet's lists (the instance list, the policy calendar) over real HTTP, against the
// suite's server and database. Every instance here
// shares a random prefix, so the searches see only this file's rows whatever else the suite made.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { api, BASE_URL } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { sessionCookie } from "@/test/support/session";

const tag = randomBytes(4).toString("hex");
const prefix = `pg-${tag}-`;
// Seven instances, in name order. The searches are upper case, which proves that they ignore case.
const NAMES = ["a1", "a2", "a3", "b4", "b5", "b6", "c7"].map((s) => `${prefix}${s}`);
const byName = new Map<string, string>();

type Page = { page: number; pageSize: number; total: number; pageCount: number };

beforeAll(async () => {
  for (const name of NAMES) {
    const row = await testDb().instance.create({ data: { name, url: "http://127.0.0.1:1", version: "1.0.0", updateChannel: "manual_approval", timezone: "Africa/Lagos" } });
    byName.set(name, row.id);
  }
});

const names = (list: { name?: string; instance?: { name: string } }[]) => list.map((x) => x.name ?? x.instance?.name);
const q = (extra: string) => `q=${encodeURIComponent(prefix.toUpperCase())}&${extra}`;

async function html(path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${BASE_URL}${path}`, { headers: { cookie: await sessionCookie("viewer") }, redirect: "manual" });
  // Next writes & in attributes as &amp; and puts <!-- --> between adjacent texts: read without them.
  return { status: res.status, body: (await res.text()).replaceAll("&amp;", "&").replaceAll("<!-- -->", "") };
}

describe("GET /api/superadmin/instances, paged", () => {
  it("gives the right rows on every page, in name order, and an empty page past the end", async () => {
    const pages: string[][] = [];
    for (const p of [1, 2, 3, 4]) {
      const res = await api("viewer", "GET", `/api/superadmin/instances?${q(`pageSize=3&page=${p}`)}`);
      expect(res.status, res.text).toBe(200);
      const body = res.json as { instances: { name: string }[]; page: Page };
      expect(body.page).toEqual({ page: p, pageSize: 3, total: 7, pageCount: 3 });
      pages.push(names(body.instances) as string[]);
    }
    expect(pages).toEqual([NAMES.slice(0, 3), NAMES.slice(3, 6), NAMES.slice(6), []]);
  });

  it("pages everything by default size when only a search is given, and lists all without params", async () => {
    const searched = (await api("viewer", "GET", `/api/superadmin/instances?q=${prefix.toUpperCase()}B`)).json as { instances: { name: string }[]; page: Page };
    expect(names(searched.instances)).toEqual(NAMES.slice(3, 6));
    expect(searched.page).toEqual({ page: 1, pageSize: 50, total: 3, pageCount: 1 });
    const all = (await api("viewer", "GET", "/api/superadmin/instances")).json as { instances: { name: string }[]; page?: Page };
    expect(all.page).toBeUndefined();
    expect(names(all.instances)).toEqual(expect.arrayContaining(NAMES));
  });

  it("treats %, _ and \\ in a search as themselves, not as wildcards", async () => {
    const odd = ["x_y", "xzy", "x%y", "x\\y"].map((s) => `${prefix}${s}`);
    await testDb().instance.createMany({ data: odd.map((name) => ({ name, url: "http://127.0.0.1:1", version: "1.0.0" })) });
    try {
      for (const name of [odd[0], odd[2], odd[3]]) {
        const res = await api("viewer", "GET", `/api/superadmin/instances?q=${encodeURIComponent(name ?? "")}`);
        expect(names((res.json as { instances: { name: string }[] }).instances), name).toEqual([name]);
      }
    } finally {
      await testDb().instance.deleteMany({ where: { name: { in: odd } } });
    }
  });

  it.each(["page=0", "page=-1", "page=abc", "page=1.5", "page=1e2", "page=100001", "page=99999999999999999999", "pageSize=0", "pageSize=201", "pageSize=ten", `q=${"x".repeat(101)}`, "q=a%00b"])(
    "answers 422 for %s, on both lists",
    async (bad) => {
      for (const path of ["/api/superadmin/instances", "/api/superadmin/policy-calendar"]) {
        const res = await api("viewer", "GET", `${path}?${bad}`);
        expect(res.status, `${path}?${bad}: ${res.text}`).toBe(422);
        expect(res.json).toMatchObject({ error: { code: "validation_failed" } });
      }
    },
  );
});

describe("GET /api/superadmin/policy-calendar, paged", () => {
  it("evaluates only the page asked for, with the page's info", async () => {
    const res = await api("viewer", "GET", `/api/superadmin/policy-calendar?${q("pageSize=3&page=2")}`);
    expect(res.status, res.text).toBe(200);
    const cal = res.json as { rows: { instance: { name: string }; cells: { version: string; request: { outcome: string } }[] }[]; page: Page; releases: { version: string }[] };
    expect(names(cal.rows)).toEqual(NAMES.slice(3, 6));
    expect(cal.page).toEqual({ page: 2, pageSize: 3, total: 7, pageCount: 3 });
    // A manual-approval instance on 1.0.0: every newer release needs an approval (or has no path).
    expect(cal.rows[0]?.cells.find((c) => c.version === "1.1.0")?.request.outcome).toBe("approval");
    expect(cal.releases.length).toBeGreaterThan(0);
  });

  it("pages the whole fleet by default: 25 rows at most", async () => {
    const cal = (await api("viewer", "GET", "/api/superadmin/policy-calendar")).json as { rows: unknown[]; page: Page };
    expect(cal.page).toMatchObject({ page: 1, pageSize: 25 });
    expect(cal.rows.length).toBe(Math.min(25, cal.page.total));
  });
});

describe("the calendar and instance pages", () => {
  it.each([
    ["/calendar", "calendar-row-"],
    ["/instances", "instance-row-"],
  ])("%s shows the page's rows with working previous and next links", async (base, testId) => {
    const { status, body } = await html(`${base}?${q("pageSize=3&page=2")}`);
    expect(status).toBe(200);
    const shown = NAMES.filter((n) => body.includes(`data-testid="${testId}${n}"`));
    expect(shown).toEqual(NAMES.slice(3, 6));
    expect(body).toContain("Page 2 of 3 · 7 instances");
    const search = `q=${prefix.toUpperCase()}`;
    expect(body).toContain(`href="${base}?${search}&pageSize=3"`); // previous: page 1 has no page param
    expect(body).toContain(`href="${base}?${search}&page=3&pageSize=3"`);

    const first = await html(`${base}?${q("pageSize=3")}`);
    expect(first.body).not.toContain('rel="prev"');
    expect(first.body).toContain('rel="next"');
    const last = await html(`${base}?${q("pageSize=3&page=3")}`);
    expect(NAMES.filter((n) => last.body.includes(`data-testid="${testId}${n}"`))).toEqual(NAMES.slice(6));
    expect(last.body).toContain('rel="prev"');
    expect(last.body).not.toContain('rel="next"');
  });

  it("/calendar lists a page's instances even when none of them has a newer release", async () => {
    const name = `${prefix}z-newest`;
    await testDb().instance.create({ data: { name, url: "http://127.0.0.1:1", version: "9.0.0" } });
    const { body } = await html(`/calendar?q=${name}`);
    expect(body).toContain(`data-testid="calendar-row-${name}"`);
    expect(body).toContain("none: up to date");
    expect(body).not.toContain("Everything is up to date");
    await testDb().instance.delete({ where: { name } });
  });

  it.each(["/calendar", "/instances"])("%s answers bad page params with a message, never a 500", async (base) => {
    for (const bad of ["page=abc", "page=0", "page=-3", "pageSize=100000", "q=a%00b", `q=${"x".repeat(300)}`]) {
      const { status, body } = await html(`${base}?${bad}`);
      expect(status, bad).toBe(200);
      expect(body, bad).toContain("The page address is not valid");
      expect(body, bad).toContain(`href="${base}"`);
    }
    const past = await html(`${base}?${q("pageSize=3&page=9")}`);
    expect(past.status).toBe(200);
    expect(past.body).toContain("There is no page 9");
    expect(past.body).toContain(`page=3&pageSize=3"`);
    const none = await html(`${base}?q=${tag}-nothing-matches`);
    expect(none.body).toContain("No instance matches");
  });
});
