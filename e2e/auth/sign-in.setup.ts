import { expect, test as setup } from "@playwright/test";
import { EMAILS, PASSWORD, ROLES, signIn, storageState } from "../support";

// One saved login per role; the specs reuse them.
for (const role of ROLES) {
  setup(`${role} signs in`, async ({ page }) => {
    await signIn(page, EMAILS[role], PASSWORD);
    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
    await expect(page.getByTestId("current-role")).toHaveText(role);
    await page.context().storageState({ path: storageState(role) });
  });
}
