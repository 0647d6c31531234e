import { expect, test, type Page } from "@playwright/test";
import { storageState } from "../support";

test.use({ storageState: storageState("viewer") });

// One instance a page, so that the seeded fleet alone has several pages.
async function rowNames(page: Page, testIdPrefix: string): Promise<string[]> {
  const ids = await page.locator(`[data-testid^="${testIdPrefix}"]`).evaluateAll((els) => els.map((e) => e.getAttribute("data-testid") ?? ""));
  return ids.map((id) => id.slice(testIdPrefix.length));
}

for (const [path, testId, nav] of [
  ["/instances", "instance-row-", "Instance pages"],
  ["/calendar", "calendar-row-", "Calendar pages"],
] as const) {
  test(`${path} pages forward and back, and its search keeps to the matches`, async ({ page }) => {
    await page.goto(`${path}?pageSize=1`);
    const pager = page.getByRole("navigation", { name: nav });
    await expect(pager.getByText(/^Page 1 of \d+ · [\d,]+ instances$/)).toBeVisible();
    await expect(pager.getByRole("link", { name: "Previous" })).toHaveCount(0);
    const first = await rowNames(page, testId);
    expect(first).toHaveLength(1);

    await pager.getByRole("link", { name: "Next" }).click();
    await expect(page).toHaveURL(/[?&]page=2\b/);
    await expect(page).toHaveURL(/[?&]pageSize=1\b/);
    await expect(pager.getByText(/^Page 2 of /)).toBeVisible();
    const second = await rowNames(page, testId);
    expect(second).toHaveLength(1);
    expect(second).not.toEqual(first);

    await pager.getByRole("link", { name: "Previous" }).click();
    await expect(pager.getByText(/^Page 1 of /)).toBeVisible();
    expect(await rowNames(page, testId)).toEqual(first);

    // The seeded fleet has one kano-lts: the search finds it alone, on one page with no links.
    await page.getByLabel("Instance name").fill("KANO-lts");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(pager.getByText(/^Page 1 of 1 · 1 instance$/)).toBeVisible();
    expect(await rowNames(page, testId)).toEqual(["kano-lts"]);
    await expect(pager.getByRole("link")).toHaveCount(0);
    await page.getByRole("link", { name: "Clear" }).click();
    await expect(page.getByLabel("Instance name")).toHaveValue("");
  });
}

test("a bad page address is explained, with a way back", async ({ page }) => {
  for (const path of ["/instances?page=zero", "/calendar?pageSize=5000"]) {
    await page.goto(path);
    await expect(page.getByRole("main").getByRole("alert")).toContainText("The page address is not valid");
    await page.getByRole("link", { name: "Go to the first page" }).click();
    await expect(page.getByRole("navigation", { name: /pages$/ })).toBeVisible();
  }
});
