import { expect, test } from "@playwright/test";
import { SAME_ORIGIN, storageState } from "../support";

test.use({ storageState: storageState("superadmin") });
test.setTimeout(120_000);

test("a superadmin upgrades a demo instance, watches every step live, then rolls it back in one click", async ({ page, browser }) => {
  // The channel spec may have changed this instance's channel; put it on auto-update.
  const list = await (await page.request.get("/api/superadmin/instances")).json();
  const abuja = list.instances.find((i: { name: string }) => i.name === "abuja-staging");
  expect((await page.request.patch(`/api/superadmin/instances/${abuja.id}`, { headers: SAME_ORIGIN, data: { updateChannel: "auto-update", pinnedVersion: null, maintenanceWindow: null } })).status()).toBe(200);

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

  // A stakeholder, with no account, on a phone, follows the same upgrade.
  await page.getByRole("button", { name: "Share a status page" }).click();
  const statusPath = await page.getByTestId("status-page-link").getAttribute("href");
  expect(statusPath).toMatch(/^\/status\/[A-Za-z0-9_-]{43}$/);
  const visitor = await browser.newContext({ baseURL: process.env.TEST_BASE_URL, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const phone = await visitor.newPage();
  await phone.goto(statusPath ?? "");
  await expect(phone.getByTestId("status-headline")).toHaveText("An upgrade is in progress.");
  await expect(phone.getByText("Version 1.0.0 → 1.1.0")).toBeVisible();
  await expect(phone.getByText("This page updates by itself.")).toBeVisible();

  await page.getByLabel(/Rollback plan prepared/).click();
  for (const key of ["maintenance_on", "pull_artifacts", "migrate", "configure", "deploy", "validate", "maintenance_off"]) {
    await expect(page.getByTestId(`step-${key}`)).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  }
  await expect(page.getByTestId("run-status")).toHaveText("monitoring");
  await expect(page.getByTestId("log-validate")).toContainText("Version: 1.1.0");
  // The monitoring window's charts, one per runbook step-11 metric against its limit.
  await expect(page.getByRole("heading", { name: "Post-upgrade monitoring" })).toBeVisible();
  await expect(page.getByTestId("metric-errorRate")).toContainText("limit 1%");
  await expect(page.getByRole("img", { name: /^Response time \(p95\): .* threshold 500 ms$/ })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { liveMarker?: number }).liveMarker)).toBe(42);

  // The phone page followed without a reload, and shows nothing internal.
  await expect(phone.getByTestId("status-headline")).toHaveText("The upgrade is complete. We are keeping an eye on things.", { timeout: 30_000 });
  const visible = await phone.content();
  for (const secret of ["127.0.0.1", "/api/superadmin", "Bearer", "wwk_", "pg_dump", "sha256", "pid "]) expect(visible, secret).not.toContain(secret);
  const fits = await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  expect(fits).toBe(true);

  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Emergency rollback" }).click();
  await expect(page.getByRole("heading", { name: /emergency rollback to 1\.0\.0/ })).toBeVisible();
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("step-em_restore_db")).toHaveAttribute("data-status", "succeeded");

  await expect(phone.getByTestId("status-headline")).toHaveText("The upgrade was undone; the previous version is running.", { timeout: 30_000 });
  await visitor.close();

  await page.goto(`/instances/${abuja.id}`);
  await expect(page.getByTestId("instance-version")).toHaveText("1.0.0");
});
