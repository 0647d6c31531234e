import { NextResponse, type NextRequest } from "next/server";
import { getEnv } from "@/lib/env";
import { contentSecurityPolicy, HSTS_VALUE, isServedOverHttps, newNonce } from "@/lib/http/security-headers";

// Sets each page's Content-Security-Policy with a fresh nonce, and HSTS over https. Next reads
// the nonce from the request's CSP header and puts it on the scripts it renders. Authorization is
// not done here: it lives in lib/, where every caller passes through it.
export function proxy(request: NextRequest): NextResponse {
  const env = getEnv();
  const https = isServedOverHttps(request.headers, env);
  const csp = contentSecurityPolicy(newNonce(), { https, dev: env.NODE_ENV === "development" });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", csp);
  if (https) response.headers.set("strict-transport-security", HSTS_VALUE);
  return response;
}

export const config = {
  // Pages only: API routes answer JSON and streams (their static headers come from next.config.ts),
  // and leaving them out keeps Next from buffering request bodies for the proxy. Prefetches carry
  // no HTML of their own.
  matcher: [
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
