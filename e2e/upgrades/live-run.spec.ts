import { expect, test } from "@playwright/test";
import { storageState } from "../support";

test.use({ storageState: storageState("superadmin") });
test.setTimeout(120_000);

test("a superadmin upgrades a demo instance, watches every step live, then rolls it back in one click", async ({ page }) => {
  // The channel spec may have changed this instance's channel; put it on auto-update.
  const list = await (await page.request.get("/api/superadmin/instances")).json();
  const abuja = list.instances.find((i: { name: string }) => i.name === "abuja-staging");
  expect((await page.request.patch(`/api/superadmin/instances/${abuja.id}`, { data: { updateChannel: "auto-update", pinnedVersion: null } })).status()).toBe(200);

  await page.goto(`/instances/${abuja.id}`);
  await expect(page.getByTestId("instance-version")).toHaveText("1.0.0");
  await page.getByLabel("Target version").selectOption("1.1.0");
  await page.getByLabel("Maintenance window scheduled").check();
  await page.getByLabel("Stakeholders notified").check();
  await page.getByRole("button", { name: "Start upgrade" }).click();
  await page.waitForURL(/\/upgrades\/[^/]+$/);

  // Marks this document: if the page reloaded, the marker would be gone.
  await page.evaluate(() => ((window as unknown as { liveMarker: number }).liveMarker = 42));

  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  await expect(page.getByTestId("step-backup")).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("log-backup")).toContainText("Backup completed");
  await expect(page.getByTestId("run-status")).toHaveText("awaiting checklist");
  await expect(page.getByTestId("step-maintenance_on")).toHaveAttribute("data-status", "pending");

  await page.getByLabel(/Rollback plan prepared/).click();
  for (const key of ["maintenance_on", "pull_artifacts", "migrate", "configure", "deploy", "validate", "maintenance_off"]) {
    await expect(page.getByTestId(`step-${key}`)).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  }
  await expect(page.getByTestId("run-status")).toHaveText("monitoring");
  await expect(page.getByTestId("log-validate")).toContainText("Version: 1.1.0");
  expect(await page.evaluate(() => (window as unknown as { liveMarker?: number }).liveMarker)).toBe(42);

  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Emergency rollback" }).click();
  await expect(page.getByRole("heading", { name: /emergency rollback to 1\.0\.0/ })).toBeVisible();
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("step-em_restore_db")).toHaveAttribute("data-status", "succeeded");

  await page.goto(`/instances/${abuja.id}`);
  await expect(page.getByTestId("instance-version")).toHaveText("1.0.0");
});
