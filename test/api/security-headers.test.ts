// Response headers: a nonce-based Content-Security-Policy on every HTML page whose nonce is the one
// on the page's scripts, and the static hardening headers on everything, the API included. The
// browser check loads the pages in Chromium and fails on any CSP violation.
import { chromium, type Browser } from "@playwright/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, BASE_URL } from "@/test/support/env";
import { sessionCookie } from "@/test/support/session";

let statusUrl = "";

beforeAll(async () => {
  const list = await api("viewer", "GET", "/api/superadmin/instances");
  const inst = (list.json as { instances: { id: string }[] }).instances[0];
  const res = await api("superadmin", "POST", `/api/superadmin/instances/${inst?.id}/status-page`);
  statusUrl = (res.json as { statusPage: { url: string } }).statusPage.url;
});

function cspOf(res: Response): Map<string, string> {
  const raw = res.headers.get("content-security-policy") ?? "";
  return new Map(raw.split(";").map((d) => d.trim()).filter(Boolean).map((d) => [d.split(" ")[0] ?? "", d.slice(d.indexOf(" ") + 1)]));
}

describe("HTML pages", () => {
  const pages = () => [
    ["the login page", "/login", false],
    ["the dashboard", "/", true],
    ["an instance list", "/instances", true],
    ["a page that does not exist", "/no-such-page", true],
    ["a status page", statusUrl, false],
  ] as const;

  it("carry a CSP whose fresh per-request nonce is on every script tag, and nothing looser", async () => {
    const cookie = await sessionCookie("viewer");
    for (const [what, path, signedIn] of pages()) {
      const seen = new Set<string>();
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${BASE_URL}${path}`, { headers: signedIn ? { cookie } : {}, redirect: "manual" });
        expect(res.headers.get("content-type"), what).toContain("text/html");
        const csp = cspOf(res);
        const nonce = /'nonce-([A-Za-z0-9+/=_-]+)'/.exec(csp.get("script-src") ?? "")?.[1];
        expect(nonce, `${what}: ${res.headers.get("content-security-policy")}`).toBeTruthy();
        seen.add(nonce ?? "");
        expect(csp.get("script-src")).not.toContain("unsafe-inline");
        expect(csp.get("script-src")).not.toContain("unsafe-eval");
        expect(csp.get("default-src")).toBe("'self'");
        expect(csp.get("connect-src")).toBe("'self'");
        expect(csp.get("frame-ancestors")).toBe("'none'");
        expect(csp.get("object-src")).toBe("'none'");
        const html = await res.text();
        const scripts = html.match(/<script\b[^>]*>/g) ?? [];
        expect(scripts.length, what).toBeGreaterThan(0);
        for (const tag of scripts) expect(tag, what).toContain(`nonce="${nonce}"`);
      }
      expect(seen.size, `${what}: the nonce must change per request`).toBe(2);
    }
  });

  it("send no HSTS over plain http, even when a client claims https without a trusted proxy", async () => {
    const res = await fetch(`${BASE_URL}/login`, { headers: { "x-forwarded-proto": "https" } });
    expect(res.headers.get("strict-transport-security")).toBeNull();
    expect(cspOf(res).has("upgrade-insecure-requests")).toBe(false);
  });
});

describe("every response", () => {
  it.each([
    ["an API answer", "/api/superadmin/instances"],
    ["an API error", "/api/superadmin/nothing-here"],
    ["a page", "/login"],
    ["the health check", "/health/status"],
  ])("%s carries nosniff, a strict Referrer-Policy, a Permissions-Policy and no framing", async (_what, path) => {
    const res = await api("viewer", "GET", path);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("permissions-policy")).toContain("camera=()");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });
});

describe("in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("the login page, the dashboard and a live status page hydrate and run with no CSP violation", async () => {
    const context = await browser.newContext({ baseURL: BASE_URL });
    const problems: string[] = [];
    // A missing favicon is a 404 the browser reports as a console error; the server's answers are checked on their own.
    const noted = (where: string) => (m: { type: () => string; text: () => string }) => {
      if ((m.type() === "error" && !m.text().startsWith("Failed to load resource")) || /Content Security Policy/i.test(m.text())) problems.push(`${where} ${m.type()}: ${m.text()}`);
    };
    context.on("console", noted("console"));
    context.on("response", (r) => {
      if (r.status() >= 500) problems.push(`${r.status()} for ${r.url()}`);
    });
    context.on("weberror", (e) => problems.push(`page error: ${e.error().message}`));
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    const page = await context.newPage();

    // Signing in runs the login form's client code; the dashboard then renders its client parts.
    await page.goto("/login");
    await page.getByLabel("Email").fill("viewer@webwaka.local");
    await page.getByLabel("Password").fill(process.env.TEST_PASSWORD ?? "");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor({ timeout: 20_000 });
    await page.getByTestId("current-role").waitFor();
    // A client-side navigation needs the hydrated router.
    await page.getByRole("link", { name: "Instances", exact: true }).first().click();
    await page.waitForURL(/\/instances$/);

    // The status page's "updates by itself" appears only once its EventSource connected.
    const visitor = await browser.newContext({ baseURL: BASE_URL });
    visitor.on("console", noted("status page"));
    await visitor.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    const phone = await visitor.newPage();
    await phone.goto(statusUrl);
    await phone.getByText("This page updates by itself.").waitFor({ timeout: 15_000 });
    await visitor.close();
    await context.close();
    expect(problems).toEqual([]);
  }, 60_000);
});
