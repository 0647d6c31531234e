import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import bcrypt from "bcryptjs";
import pg from "pg";
import { EMAILS, PASSWORD, signIn } from "../support";

/**
 * An account of its own: signing out ends every session of that person, and the saved logins of
 * the seeded accounts are still needed by the other specs.
 */
async function createApprover(): Promise<string> {
  const email = `e2e-signout-${randomBytes(4).toString("hex")}@example.test`;
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query("INSERT INTO users (id, email, name, password_hash, role, updated_at) VALUES ($1, $2, 'Sign-out test', $3, 'approver', now())", [`e2e${randomBytes(8).toString("hex")}`, email, await bcrypt.hash(PASSWORD, 4)]);
  } finally {
    await client.end();
  }
  return email;
}

test("a wrong password shows an error and stays on the login page", async ({ page }) => {
  await signIn(page, EMAILS.viewer, "not-the-password");
  await expect(page.getByRole("alert").filter({ hasText: "The email or password is wrong" })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});

test("an anonymous visitor is sent to the login page, and back after signing in", async ({ page }) => {
  const email = await createApprover();
  await page.goto("/audit");
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  const copied = (await page.context().cookies()).find((c) => c.name === "next-auth.session-token");
  expect(copied).toBeDefined();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  // The cookie copied before signing out no longer works either.
  await page.context().addCookies([copied!]);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});
