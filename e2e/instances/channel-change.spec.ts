import { expect, test } from "@playwright/test";
import { openInstance, SAME_ORIGIN, storageState } from "../support";

test.describe("as a superadmin", () => {
  test.use({ storageState: storageState("superadmin") });

  test("changes an instance's channel and sees it in the audit log", async ({ page }) => {
    await openInstance(page, "abuja-staging");

    const select = page.getByLabel("Update channel", { exact: true });
    const current = await select.inputValue();
    const target = current === "manual-approval" ? "frozen" : "manual-approval";
    const label = target === "frozen" ? "Frozen" : "Manual approval";
    await select.selectOption(target);
    await page.getByRole("form", { name: "Update channel and version pin" }).getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
    await expect(page.getByTestId("instance-channel")).toHaveText(label);

    await page.getByRole("link", { name: "Audit log" }).click();
    await page.getByLabel("Action").fill("instance.update");
    await page.getByRole("button", { name: "Apply filters" }).click();
    const row = page.getByTestId("audit-row").first();
    await expect(row).toContainText("admin@webwaka.local");
    await expect(row).toContainText("instance.update");
    await expect(row).toContainText(`"to":"${target}"`);

    await page.getByRole("button", { name: "Verify hash chain" }).click();
    await expect(page.getByText(/Intact: \d+ entries verified/)).toBeVisible();
  });

  test("a refused pin shows the reason and changes nothing", async ({ page }) => {
    await openInstance(page, "kano-lts");
    // The form only offers known versions, so post a bad one the way a tampered client would.
    const res = await page.request.patch(`/api/superadmin/instances/${page.url().split("/").pop()}`, { headers: SAME_ORIGIN, data: { pinnedVersion: "9.9.9" } });
    expect(res.status()).toBe(422);
    expect((await res.json()).error.message).toContain("9.9.9");
  });
});

test.describe("as a viewer", () => {
  test.use({ storageState: storageState("viewer") });

  test("finds no control that changes anything", async ({ page }) => {
    // A walk over seven pages and an instance search: more than the default 30 s on a loaded machine.
    test.slow();
    for (const path of ["/", "/instances", "/releases", "/upgrades", "/approvals", "/settings"]) {
      await page.goto(path);
      await expect(page.getByRole("main")).toBeVisible();
      // The only buttons a viewer has are Sign out and, on the audit page, verification; the
      // instance list's name search is a GET form that changes nothing.
      const buttons = await page.getByRole("main").getByRole("button").allTextContents();
      expect(buttons, path).toEqual(path === "/instances" ? ["Search"] : []);
      await expect(page.getByRole("main").locator("form:not([role=search][method=get])")).toHaveCount(0);
    }
    await openInstance(page, "lagos-production");
    await expect(page.getByRole("main").getByRole("button")).toHaveCount(0);
    await expect(page.getByRole("main").locator("select, input, textarea")).toHaveCount(0);
    await expect(page.getByText("Only a superadmin manages users and API tokens.")).toHaveCount(0);
    await page.goto("/settings");
    await expect(page.getByText("Only a superadmin manages users and API tokens.")).toBeVisible();
  });

  test("is refused by the API when it tries anyway", async ({ page }) => {
    await page.goto("/instances");
    const list = await page.request.get("/api/superadmin/instances");
    const { instances } = await list.json();
    const res = await page.request.patch(`/api/superadmin/instances/${instances[0].id}`, { headers: SAME_ORIGIN, data: { updateChannel: "frozen" } });
    expect(res.status()).toBe(403);
  });
});

test.describe("as an approver", () => {
  test.use({ storageState: storageState("approver") });

  test("reads the fleet and releases but cannot change a channel", async ({ page }) => {
    await page.goto("/releases");
    await expect(page.getByTestId("changelog-2.0.0")).toContainText("DATABASE_POOL_MAX");
    await expect(page.getByTestId("changelog-2.0.0").locator("li").first()).toBeVisible();
    await page.goto("/instances?q=kano-lts");
    await expect(page.getByTestId("instance-row-kano-lts")).toContainText("Frozen");
    await page.getByRole("link", { name: "kano-lts" }).click();
    await expect(page.getByLabel("Update channel", { exact: true })).toHaveCount(0);
  });
});
