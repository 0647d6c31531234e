import { getEnv } from "@/lib/env";

// scripts/web-server.mjs writes the socket's peer address into this header on every request,
// overwriting any copy the client sent. Keep the two names in step.
export const CLIENT_IP_HEADER = "x-webwaka-client-ip";

/**
 * The client's address for rate-limit buckets and audit entries. Without a trusted proxy it is
 * the socket's peer: X-Forwarded-For and X-Real-IP come from the client and are ignored (Next
 * fills X-Forwarded-For only when a request lacks it, so a route cannot tell a forged one). With
 * TRUST_PROXY, the one proxy in front of the console appends the address it saw to
 * X-Forwarded-For, so the last entry is the one to believe; earlier ones are the client's word.
 */
export function clientIpFrom(headers: Headers, trustProxy: boolean): string | null {
  if (trustProxy) {
    const parts = (headers.get("x-forwarded-for") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    const last = parts[parts.length - 1];
    if (last) return last.slice(0, 64);
  }
  const peer = headers.get(CLIENT_IP_HEADER);
  return peer ? peer.slice(0, 64) : null;
}

export function clientIpFromHeaders(headers: Headers): string | null {
  return clientIpFrom(headers, getEnv().TRUST_PROXY);
}
