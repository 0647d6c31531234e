// After sign-in the browser goes only to a path of the console itself: never to another origin,
// whatever the callbackUrl (the login page's query, or next-auth's callbackUrl parameter).
import { afterEach, describe, expect, it } from "vitest";
import { BASE_URL, EMAILS, PASSWORD } from "@/test/support/env";
import { testDb } from "@/test/support/db";

const base = new URL(BASE_URL);
const OTHER = `${base.protocol}//${base.hostname}:${Number(base.port) + 1}`;
const HOME = new URL("/", BASE_URL).href;

afterEach(async () => {
  await testDb().rateLimitBucket.deleteMany({ where: { key: { startsWith: "login" } } });
});

const HOSTILE = [
  "/\\evil.example/x",
  "/\\/evil.example",
  "\\\\evil.example",
  "\\/evil.example",
  "//evil.example",
  "///evil.example",
  "//evil.example/%2F..",
  "/\t/evil.example",
  "/\n/evil.example",
  " //evil.example",
  "/%5Cevil.example",
  "/%2F%2Fevil.example",
  "/%252F%252Fevil.example",
  "http://evil.example/",
  "https://evil.example/x",
  "HTTP://EVIL.EXAMPLE",
  "http:evil.example",
  "http:/\\evil.example",
  `${OTHER}/`,
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  "java\tscript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "evil.example",
  "@evil.example",
  "",
];

const SAFE: [string, string][] = [
  ["/audit", "/audit"],
  ["/instances/abc?tab=runs#x", "/instances/abc?tab=runs#x"],
  [`${BASE_URL}/upgrades`, "/upgrades"],
];

/** Where the login page's form sends the browser after a successful sign-in: its `next` prop. */
async function loginPageTarget(callbackUrl: string): Promise<string> {
  const res = await fetch(`${BASE_URL}/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  expect(res.status).toBe(200);
  const html = await res.text();
  // The props of client components travel in the RSC payload the page inlines.
  const flight = [...html.matchAll(/self\.__next_f\.push\(\[1,("(?:[^"\\]|\\.)*")\]\)/g)].map((m) => JSON.parse(m[1]!) as string).join("");
  const m = /"next":("(?:[^"\\]|\\.)*")/.exec(flight);
  if (!m) throw new Error("The login page does not pass its form a target.");
  return JSON.parse(m[1]!) as string;
}

function sameOriginPath(target: string): boolean {
  // How a browser resolves it from the login page.
  const url = new URL(target, `${BASE_URL}/login`);
  return url.origin === base.origin && !url.pathname.startsWith("//");
}

describe("the login page's callbackUrl", () => {
  it.each(HOSTILE.map((h) => [JSON.stringify(h), h]))("%s sends the browser home", async (_label, hostile) => {
    expect(await loginPageTarget(hostile)).toBe("/");
  });

  it.each(SAFE)("%s is kept as %s", async (input, expected) => {
    const target = await loginPageTarget(input);
    expect(target).toBe(expected);
    expect(sameOriginPath(target)).toBe(true);
  });
});

async function csrf(): Promise<{ csrfToken: string; cookie: string }> {
  const res = await fetch(`${BASE_URL}/api/auth/csrf`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { csrfToken, cookie: res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") };
}

describe("next-auth's redirect callback", () => {
  it.each(HOSTILE.filter(Boolean).map((h) => [JSON.stringify(h), h]))("%s after a credentials sign-in goes home", async (_label, hostile) => {
    const { csrfToken, cookie } = await csrf();
    const res = await fetch(`${BASE_URL}/api/auth/callback/credentials`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: base.origin },
      body: new URLSearchParams({ csrfToken, email: EMAILS.viewer, password: PASSWORD, callbackUrl: hostile, json: "true" }).toString(),
    });
    const { url } = (await res.json()) as { url: string };
    expect(new URL(url, BASE_URL).href).toBe(HOME);
  });

  it.each(HOSTILE.filter(Boolean).map((h) => [JSON.stringify(h), h]))("%s on the sign-in page link does not leave the console", async (_label, hostile) => {
    const res = await fetch(`${BASE_URL}/api/auth/signin?callbackUrl=${encodeURIComponent(hostile)}`, { redirect: "manual" });
    const location = res.headers.get("location") ?? "";
    const next = new URL(location, BASE_URL);
    expect(next.origin).toBe(base.origin);
    const cb = next.searchParams.get("callbackUrl");
    if (cb !== null) expect(new URL(cb, BASE_URL).href).toBe(HOME);
  });

  it.each(HOSTILE.filter(Boolean).map((h) => [JSON.stringify(h), h]))("%s after sign-out goes home", async (_label, hostile) => {
    const { csrfToken, cookie } = await csrf();
    const res = await fetch(`${BASE_URL}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: base.origin },
      body: new URLSearchParams({ csrfToken, callbackUrl: hostile, json: "true" }).toString(),
    });
    const { url } = (await res.json()) as { url: string };
    expect(new URL(url, BASE_URL).href).toBe(HOME);
  });

  it("a same-origin callbackUrl is kept", async () => {
    const { csrfToken, cookie } = await csrf();
    const res = await fetch(`${BASE_URL}/api/auth/callback/credentials`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: base.origin },
      body: new URLSearchParams({ csrfToken, email: EMAILS.viewer, password: PASSWORD, callbackUrl: "/audit?x=1", json: "true" }).toString(),
    });
    const { url } = (await res.json()) as { url: string };
    expect(new URL(url, BASE_URL).href).toBe(new URL("/audit?x=1", BASE_URL).href);
  });
});
