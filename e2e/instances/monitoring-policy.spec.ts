import { expect, test } from "@playwright/test";
import { openInstance, SAME_ORIGIN, storageState } from "../support";

test.use({ storageState: storageState("superadmin") });

test("a superadmin sets an instance's monitoring window and breach rollback, and sees it audited", async ({ page }) => {
  await openInstance(page, "kano-lts");
  const id = page.url().split("/").pop() ?? "";
  const before = await (await page.request.get(`/api/superadmin/instances/${id}`)).json();

  const form = page.getByRole("form", { name: "Monitoring policy" });
  await form.getByLabel("Monitoring window (hours)").fill("36");
  await form.getByLabel(/Roll back automatically/).setChecked(!before.rollbackOnMonitoringBreach);
  await form.getByRole("button", { name: "Update monitoring policy" }).click();
  await expect(form.getByRole("status")).toContainText("Saved");
  await expect(page.getByTestId("instance-monitoring")).toHaveText(`36 h · ${before.rollbackOnMonitoringBreach ? "alerts on a breach" : "rolls back on a breach"}`);

  const after = await (await page.request.get(`/api/superadmin/instances/${id}`)).json();
  expect(after).toMatchObject({ monitoringWindowMinutes: 2160, rollbackOnMonitoringBreach: !before.rollbackOnMonitoringBreach });
  const audit = await (await page.request.get(`/api/superadmin/audit-logs?action=instance.update&resourceId=${id}&limit=1`)).json();
  expect(audit.auditLogs[0].metadata.changes.monitoringWindowMinutes).toEqual({ from: before.monitoringWindowMinutes, to: 2160 });

  // Put it back for the other specs.
  const reset = await page.request.patch(`/api/superadmin/instances/${id}`, { headers: SAME_ORIGIN, data: { monitoringWindowMinutes: before.monitoringWindowMinutes, rollbackOnMonitoringBreach: before.rollbackOnMonitoringBreach } });
  expect(reset.status()).toBe(200);
});
