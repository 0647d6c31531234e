import { expect, type Page } from "@playwright/test";

export const ROLES = ["superadmin", "approver", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const EMAILS: Record<Role, string> = {
  superadmin: "admin@webwaka.local",
  approver: "approver@webwaka.local",
  viewer: "viewer@webwaka.local",
};

export const PASSWORD = process.env.TEST_PASSWORD ?? "";

// `page.request` sends the page's cookies but, unlike the page's own fetch, no Origin; a cookie
// write without one is refused as cross-site (docs/architecture.md, CSRF), so say it.
export const SAME_ORIGIN = { origin: new URL(process.env.TEST_BASE_URL ?? "http://127.0.0.1").origin };

export function storageState(role: Role): string {
  return `.test-data/auth/${role}.json`;
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Opens an instance's page from the instance list, through its name search (the list is paged). */
export async function openInstance(page: Page, name: string): Promise<void> {
  await page.goto("/instances");
  await page.getByRole("search", { name: "Find instances" }).getByLabel("Instance name").fill(name);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(new RegExp(`[?&]q=${encodeURIComponent(name)}`));
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
}
