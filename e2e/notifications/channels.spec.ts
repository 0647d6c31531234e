import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { openInstance, storageState } from "../support";

test.use({ storageState: storageState("superadmin") });
test.setTimeout(60_000);

test("a superadmin adds a stakeholder and a webhook, sends a test, and sees it delivered", async ({ page }) => {
  const received: { path: string; event: string }[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received.push({ path: req.url ?? "", event: String(req.headers["x-webwaka-event"]) });
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  page.on("dialog", (d) => void d.accept());
  try {
    await openInstance(page, "kano-lts");

    const people = page.getByRole("form", { name: "Add stakeholder" });
    await people.getByLabel("Name").fill("Ngozi Okafor");
    await people.getByLabel("Email").fill("ngozi@example.test");
    await people.getByRole("button", { name: "Add" }).click();
    await expect(page.getByRole("list", { name: "Stakeholders" })).toContainText("ngozi@example.test");

    const form = page.getByRole("form", { name: "Add notification channel" });
    await form.getByLabel("Kind").selectOption("webhook");
    await form.getByLabel("Name").fill("Ops hook");
    await form.getByLabel("Webhook URL").fill(`http://127.0.0.1:${port}/hook/private-path-token`);
    await form.getByRole("button", { name: "Add channel" }).click();
    await expect(page.getByTestId("channel-notice")).toContainText("Signing secret (shown once");

    const item = page.getByRole("list", { name: "Notification channels" }).getByRole("listitem").filter({ hasText: "Ops hook" });
    await expect(item).toContainText(`http://127.0.0.1:${port}/••••`);
    await expect(item).not.toContainText("private-path-token");

    await item.getByRole("button", { name: "Send test" }).click();
    await expect(page.getByTestId("channel-notice")).toContainText("Test message queued");
    await expect.poll(() => received.filter((r) => r.event === "test").length, { timeout: 20_000 }).toBe(1);
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("delivery-row").filter({ hasText: "Ops hook" }).first()).toContainText("sent", { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });

    await item.getByRole("button", { name: "Disable" }).click();
    await expect(item).toContainText("disabled");
    await item.getByRole("button", { name: "Remove channel Ops hook" }).click();
    await expect(page.getByRole("list", { name: "Notification channels" })).toHaveCount(0);
    await page.getByRole("button", { name: "Remove stakeholder Ngozi Okafor" }).click();
    await expect(page.getByText("No stakeholders yet.")).toBeVisible();
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
