import { expect, test, type APIRequestContext } from "@playwright/test";
import { openInstance, storageState } from "../support";

// Requests made as the superadmin through the REST API while the approver's browser watches.
const TOKENS = JSON.parse(process.env.TEST_TOKENS ?? "{}") as Record<string, string>;
const asAdmin = { authorization: `Bearer ${TOKENS.superadmin ?? ""}` };

async function instanceId(request: APIRequestContext, name: string): Promise<string> {
  const list = await (await request.get("/api/superadmin/instances", { headers: asAdmin })).json();
  return list.instances.find((i: { name: string }) => i.name === name).id;
}

test.describe("as an approver", () => {
  test.use({ storageState: storageState("approver") });

  test("sees a new request arrive without reloading, approves it, and sees it leave the queue", async ({ page, request }) => {
    const lagos = await instanceId(request, "lagos-production");
    // A weekly window three days away, so the approved run waits for it instead of starting.
    const day = (new Date().getUTCDay() + 3) % 7;
    const patched = await request.patch(`/api/superadmin/instances/${lagos}`, { headers: asAdmin, data: { maintenanceWindow: { timezone: "Africa/Lagos", windows: [{ dayOfWeek: day, start: "02:00", durationMinutes: 120 }] } } });
    expect(patched.status()).toBe(200);
    await page.goto("/approvals");
    await expect(page.getByRole("status", { name: "Approval queue updates" })).toHaveAttribute("data-live", "true");

    const created = await request.post(`/api/superadmin/instances/${lagos}/upgrades`, { headers: asAdmin, data: { targetVersion: "1.2.0", rollbackPlan: "Migrations down to 0002, redeploy 1.1.0, restore the backup if needed." } });
    expect(created.status(), await created.text()).toBe(201);
    const upgrade = (await created.json()).upgrade as { id: string; status: string };
    expect(upgrade.status).toBe("pending_approval");
    try {
      // No reload: the queue's stream tells the page to refetch.
      const row = page.getByRole("row").filter({ hasText: "lagos-production" }).filter({ hasText: "1.1.0 → 1.2.0" });
      await expect(row).toBeVisible();
      await row.getByRole("link", { name: "lagos-production" }).click();

      await expect(page.getByText("Migrations down to 0002")).toBeVisible();
      await page.getByLabel("Comment").fill("Read the plan; fine for the next window.");
      const approve = page.getByRole("button", { name: "Approve" });
      await expect(approve).toBeDisabled();
      await page.getByLabel("I have read the rollback plan").check();
      await approve.click();
      // lagos-production has weekly windows: approved, it waits for the next one.
      await expect(page.getByText("Approved.")).toBeVisible();
      await expect(page.getByText("scheduled", { exact: true }).first()).toBeVisible();

      await page.goto("/approvals");
      await expect(page.getByRole("status", { name: "Approval queue updates" })).toHaveAttribute("data-live", "true");
      await expect(page.getByRole("row").filter({ hasText: "lagos-production" }).filter({ hasText: "1.1.0 → 1.2.0" })).toHaveCount(0);
    } finally {
      await request.post(`/api/superadmin/upgrades/${upgrade.id}/cancel`, { headers: asAdmin });
    }
  });
});

test.describe("as a superadmin", () => {
  test.use({ storageState: storageState("superadmin") });

  test("edits an instance's windows, adds and removes a freeze, and reads the policy calendar", async ({ page }) => {
    await openInstance(page, "kano-lts");
    const schedule = page.getByRole("form", { name: "Maintenance windows and approvals" });
    await schedule.getByRole("button", { name: "Add a window" }).click();
    const rows = schedule.getByTestId("window-row");
    const last = rows.last();
    await last.getByLabel(/day$/).selectOption("3");
    await last.getByLabel(/start$/).fill("01:30");
    await last.getByLabel(/minutes$/).fill("90");
    await schedule.getByRole("button", { name: "Save" }).click();
    await expect(schedule.getByText(/^Saved\./)).toBeVisible();
    await expect(page.getByText(/Wed 01:30 \(90 min\)/)).toBeVisible();

    // A bad time zone is refused by the server with the field's message, and nothing changes.
    const before = await rows.count();
    await schedule.getByRole("button", { name: "Add a window" }).click();
    await schedule.getByLabel("Time zone").fill("Mars/Olympus_Mons");
    await schedule.getByRole("button", { name: "Save" }).click();
    await expect(schedule.getByText(/must be an IANA time zone/)).toBeVisible();
    await page.reload();
    await expect(schedule.getByTestId("window-row")).toHaveCount(before);
    await expect(schedule.getByLabel("Time zone")).not.toHaveValue("Mars/Olympus_Mons");

    const freeze = page.getByRole("form", { name: "Add a change freeze" });
    const start = new Date(Date.now() + 86_400_000);
    const end = new Date(Date.now() + 2 * 86_400_000);
    const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await freeze.getByLabel("Starts").fill(local(start));
    await freeze.getByLabel("Ends").fill(local(end));
    await freeze.getByLabel("Reason").fill("Audit week at Kano");
    await freeze.getByRole("button", { name: "Add freeze" }).click();
    const list = page.getByRole("list", { name: "Change freezes" });
    const item = list.getByRole("listitem").filter({ hasText: "Audit week at Kano" });
    await expect(item).toBeVisible();
    await expect(item.getByText("planned")).toBeVisible();

    // The calendar is paged by instance: find kano-lts by name.
    await page.getByRole("link", { name: "Policy calendar" }).click();
    await page.getByRole("search", { name: "Find instances in the calendar" }).getByLabel("Instance name").fill("kano");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.getByTestId("page-status")).toHaveText(/· 1 instance$/);
    const row = page.getByTestId("calendar-row-kano-lts");
    await expect(row).toContainText("Next window");
    // kano-lts is pinned to the version it runs: nothing newer is eligible, and the cell says why.
    await expect(row.getByText("Not eligible").first()).toBeVisible();
    await expect(row).toContainText("pinned to 1.2.0");

    await row.getByRole("link", { name: "kano-lts" }).click();
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Remove freeze Audit week at Kano" }).click();
    await expect(page.getByText("No change freeze is planned.")).toBeVisible();
  });
});
