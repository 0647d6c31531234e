import { expect, test } from "@playwright/test";
import { EMAILS, PASSWORD, signIn } from "../support";

test("a wrong password shows an error and stays on the login page", async ({ page }) => {
  await signIn(page, EMAILS.viewer, "not-the-password");
  await expect(page.getByRole("alert").filter({ hasText: "The email or password is wrong" })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});

test("an anonymous visitor is sent to the login page, and back after signing in", async ({ page }) => {
  await page.goto("/audit");
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Email").fill(EMAILS.approver);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});
