import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, isServedOverHttps, newNonce } from "@/lib/http/security-headers";

describe("isServedOverHttps", () => {
  const h = (proto?: string) => new Headers(proto ? { "x-forwarded-proto": proto } : {});
  it.each([
    ["an https console URL", { NEXTAUTH_URL: "https://console.example", TRUST_PROXY: false }, h(), true],
    ["an http console URL", { NEXTAUTH_URL: "http://127.0.0.1:3000", TRUST_PROXY: false }, h(), false],
    ["a client's own X-Forwarded-Proto, without a trusted proxy", { NEXTAUTH_URL: "http://127.0.0.1:3000", TRUST_PROXY: false }, h("https"), false],
    ["a trusted proxy's https", { TRUST_PROXY: true }, h("https"), true],
    ["a trusted proxy's first hop", { TRUST_PROXY: true }, h("HTTPS, http"), true],
    ["a trusted proxy's http", { TRUST_PROXY: true }, h("http"), false],
    ["a trusted proxy that says nothing", { TRUST_PROXY: true }, h(), false],
  ])("%s", (_what, env, headers, expected) => {
    expect(isServedOverHttps(headers, env)).toBe(expected);
  });
});

describe("contentSecurityPolicy", () => {
  it("allows scripts by nonce only, and upgrades requests only over https", () => {
    const nonce = newNonce();
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(newNonce()).not.toBe(nonce);
    const csp = contentSecurityPolicy(nonce, { https: false, dev: false });
    expect(csp).toContain(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(csp).not.toMatch(/unsafe-eval|upgrade-insecure-requests/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(contentSecurityPolicy(nonce, { https: true, dev: false })).toContain("upgrade-insecure-requests");
    expect(contentSecurityPolicy(nonce, { https: false, dev: true })).toContain("'unsafe-eval'");
  });
});
