import { expect, test, type Page } from "@playwright/test";
import { storageState } from "../support";
import { formatLocal } from "../../lib/channels/windows";

test.use({ storageState: storageState("viewer") });

type Cell = { outcome: string; at: string | null; urgent: boolean; reason: string };
type Calendar = {
  rows: { instance: { name: string; timezone: string }; cells: { version: string; request: Cell; automatic: Cell }[] }[];
  page: { page: number; pageCount: number };
};

async function apiPage(page: Page, path: string, n: number, size: number): Promise<unknown> {
  const res = await page.request.get(`${path}?page=${n}&pageSize=${size}`);
  expect(res.status()).toBe(200);
  return res.json();
}

// A page size that walks the fleet, however many instances other tests have added, in at most
// four pages: every page is still visited, and the walk stays short.
async function walkSize(page: Page, path: string): Promise<number> {
  const first = (await apiPage(page, path, 1, 1)) as { page: { total: number } };
  return Math.max(1, Math.ceil(first.page.total / 4));
}

// The calendar's cells are built in the browser from compact data (components/channels/
// calendar-table.tsx): every cell must still say what the API's calendar says for that instance,
// release and trigger, on every page.
test("every calendar page shows the API's decision in every cell, and the instance list pages through the API's rows", async ({ page }) => {
  // A cell the browser renders differently from the server's HTML is a hydration error, which
  // React reports on the console (a missing favicon is a console error too, and not ours to judge).
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  let cells = 0;
  const size = await walkSize(page, "/api/superadmin/policy-calendar");
  for (let n = 1; ; n++) {
    const api = (await apiPage(page, "/api/superadmin/policy-calendar", n, size)) as Calendar;
    await page.goto(`/calendar?page=${n}&pageSize=${size}`);
    await expect(page.getByRole("navigation", { name: "Calendar pages" }).getByText(new RegExp(`^Page ${n} of ${api.page.pageCount} `))).toBeVisible();
    expect(api.rows.length).toBeGreaterThan(0);
    for (const row of api.rows) {
      const tr = page.getByTestId(`calendar-row-${row.instance.name}`);
      await expect(tr).toBeVisible();
      await expect(tr.locator('[data-testid^="calendar-cell-"]')).toHaveCount(row.cells.length);
      // Every badge of the row read in one go, then compared with the API's cells.
      const shown = await tr.locator('[data-testid^="calendar-cell-"]').evaluateAll((tds) =>
        tds.map((td) => ({
          id: td.getAttribute("data-testid"),
          badges: ["manual", "auto"].map((trigger) => {
            const b = td.querySelector(`[data-trigger="${trigger}"] [data-outcome]`);
            return {
              outcome: b?.getAttribute("data-outcome") ?? null,
              title: b?.getAttribute("title") ?? null,
              text: b?.textContent ?? "",
              urgent: [...(b?.querySelectorAll("*") ?? [])].some((e) => e.textContent?.trim() === "urgent"),
            };
          }),
        })),
      );
      for (const c of row.cells) {
        const td = shown.find((x) => x.id === `calendar-cell-${row.instance.name}-${c.version}`);
        expect(td, `${row.instance.name} ${c.version}`).toBeDefined();
        for (const [i, want] of [c.request, c.automatic].entries()) {
          const got = td!.badges[i]!;
          const where = `${row.instance.name} ${c.version} ${i === 0 ? "manual" : "auto"}`;
          expect(got.outcome, where).toBe(want.outcome);
          expect(got.title, where).toBe(want.reason);
          expect(got.text, where).toContain(want.reason);
          if (want.at) expect(got.text, where).toContain(formatLocal(new Date(want.at), row.instance.timezone));
          expect(got.urgent, where).toBe(want.urgent);
          cells++;
        }
      }
    }
    if (n >= api.page.pageCount) break;
    await page.getByRole("navigation", { name: "Calendar pages" }).getByRole("link", { name: "Next" }).click();
    await expect(page).toHaveURL(new RegExp(`[?&]page=${n + 1}\\b`));
  }
  expect(cells).toBeGreaterThan(0);
  expect(errors).toEqual([]);

  const listSize = await walkSize(page, "/api/superadmin/instances");
  for (let n = 1; ; n++) {
    const api = (await apiPage(page, "/api/superadmin/instances", n, listSize)) as { instances: { name: string }[]; page: { pageCount: number } };
    await page.goto(`/instances?page=${n}&pageSize=${listSize}`);
    const names = await page.locator('[data-testid^="instance-row-"]').evaluateAll((els) => els.map((e) => (e.getAttribute("data-testid") ?? "").slice("instance-row-".length)));
    expect(names).toEqual(api.instances.map((i) => i.name));
    if (n >= api.page.pageCount) break;
  }
});
