import { describe, expect, it } from "vitest";
import { CLIENT_IP_HEADER, clientIpFrom } from "@/lib/http/client-ip";

const h = (init: Record<string, string>) => new Headers(init);

describe("clientIpFrom", () => {
  it.each([
    ["the socket's address", { [CLIENT_IP_HEADER]: "192.0.2.10" }, "192.0.2.10"],
    ["not X-Forwarded-For", { [CLIENT_IP_HEADER]: "192.0.2.10", "x-forwarded-for": "203.0.113.7" }, "192.0.2.10"],
    ["not X-Real-IP", { [CLIENT_IP_HEADER]: "192.0.2.10", "x-real-ip": "203.0.113.7" }, "192.0.2.10"],
    ["nothing when the server did not record the socket", { "x-forwarded-for": "203.0.113.7" }, null],
  ])("without TRUST_PROXY: %s", (_label, headers, expected) => {
    expect(clientIpFrom(h(headers), false)).toBe(expected);
  });

  it.each([
    ["the address the proxy appended", { [CLIENT_IP_HEADER]: "10.0.0.2", "x-forwarded-for": "203.0.113.7" }, "203.0.113.7"],
    ["the last entry, not what the client put before it", { [CLIENT_IP_HEADER]: "10.0.0.2", "x-forwarded-for": "198.51.100.1, 203.0.113.7" }, "203.0.113.7"],
    ["the socket when the proxy sent none", { [CLIENT_IP_HEADER]: "10.0.0.2" }, "10.0.0.2"],
    ["the socket when the header is blank", { [CLIENT_IP_HEADER]: "10.0.0.2", "x-forwarded-for": " , " }, "10.0.0.2"],
  ])("with TRUST_PROXY: %s", (_label, headers, expected) => {
    expect(clientIpFrom(h(headers), true)).toBe(expected);
  });

  it("keeps a stored address short", () => {
    expect(clientIpFrom(h({ "x-forwarded-for": "x".repeat(500) }), true)).toHaveLength(64);
  });
});
