import { expect, test } from "@playwright/test";
import { storageState } from "../support";

test.describe("as a viewer", () => {
  test.use({ storageState: storageState("viewer") });

  test("the dashboard shows versions, runs, approvals, alerts and the fleet rates with their trend", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
    await expect(page.getByRole("list", { name: "Instances per version" })).toBeVisible();
    await expect(page.getByRole("link", { name: /Pending approvals/ })).toHaveAttribute("href", "/approvals");
    await expect(page.getByRole("heading", { name: /^Open alerts \(\d+\)$/ })).toBeVisible();
    for (const rate of ["success-rate", "rollback-rate"]) {
      const card = page.getByTestId(`rate-${rate}`);
      await expect(card).toContainText("previous period");
      await expect(card.getByRole("img", { name: /per day, last 14 days/ })).toBeVisible();
    }
    // A viewer may read alerts, never resolve them.
    await expect(page.getByRole("button", { name: /^Resolve alert/ })).toHaveCount(0);
  });
});
