import { expect, test } from "@playwright/test";
import { storageState } from "../support";

// The audit page's verification: a quick check of the entries since the last checkpoint for
// everyone, and a full re-verification (a worker job with progress) for superadmins only.

test.describe("as a superadmin", () => {
  test.use({ storageState: storageState("superadmin") });

  test("checks the new entries, then verifies everything and watches it finish", async ({ page }) => {
    await page.goto("/audit");
    const panel = page.getByRole("region", { name: "Hash chain verification" });
    await panel.getByRole("button", { name: "Verify hash chain" }).click();
    await expect(panel.getByText(/Intact: \d+ entries verified/)).toBeVisible();
    await expect(panel.getByTestId("verified-checkpoint")).toContainText(/Verified through entry \d+/);

    const start = panel.getByRole("button", { name: "Verify everything" });
    await start.click();
    const status = panel.getByTestId("full-verify-status");
    // Queued or running first (the button waits meanwhile), then the worker's outcome, polled.
    await expect(status).toContainText(/Full verification queued|Verifying everything|Last full verification passed/);
    await expect(status).toContainText("Last full verification passed", { timeout: 30_000 });
    await expect(status).toContainText("admin@webwaka.local");
    await expect(start).toBeEnabled();
    // The page read the checkpoint again: the full verification's now.
    await expect(panel.getByTestId("verified-checkpoint")).toContainText("full verification");

    // It stays shown after a reload.
    await page.reload();
    await expect(page.getByRole("region", { name: "Hash chain verification" }).getByTestId("full-verify-status")).toContainText("Last full verification passed");
  });
});

test.describe("as a viewer", () => {
  test.use({ storageState: storageState("viewer") });

  test("sees the last verification and may check new entries, but is not offered a full verification", async ({ page }) => {
    await page.goto("/audit");
    const panel = page.getByRole("region", { name: "Hash chain verification" });
    await expect(panel.getByTestId("full-verify-status")).toContainText(/full verification/i);
    await expect(panel.getByRole("button")).toHaveText(["Verify hash chain"]);
    await panel.getByRole("button", { name: "Verify hash chain" }).click();
    await expect(panel.getByText(/Intact: \d+ entries verified/)).toBeVisible();
    // Nor does the API let it start one.
    const res = await page.request.post("/api/superadmin/audit-logs/verify/full", { headers: { origin: new URL(page.url()).origin } });
    expect(res.status()).toBe(403);
  });
});
