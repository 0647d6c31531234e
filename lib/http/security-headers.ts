// The response headers that harden the console in a browser. Static ones go on every response
// (next.config.ts); the Content-Security-Policy, whose nonce changes per request, goes on pages
// (proxy.ts). Plain functions with no server-only import: proxy.ts and next.config.ts use them.

/** Headers every response carries, the API's included. */
export const STATIC_SECURITY_HEADERS: { key: string; value: string }[] = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "no-referrer" },
  { key: "X-Frame-Options", value: "DENY" },
  // The console uses none of these; a script that got in could not either.
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=()" },
];

/** Two years, as browsers' preload lists expect; sent only over https. */
export const HSTS_VALUE = "max-age=63072000; includeSubDomains";

/** A fresh nonce: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The CSP of an HTML page. Scripts run only with the page's nonce (Next puts it on its own inline
 * and bundle scripts, reading it from this header on the request); 'strict-dynamic' lets those
 * load their chunks. Styles come from the stylesheet; inline style attributes (a bar's width)
 * stay allowed, style elements need the nonce. Fetches and SSE go to this origin only.
 */
export function contentSecurityPolicy(nonce: string, opts: { https: boolean; dev: boolean }): string {
  return [
    "default-src 'self'",
    // React's development build evaluates code; production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(opts.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/**
 * Whether the browser reached the console over https: the console's own URL says so, or a proxy
 * the operator trusts (TRUST_PROXY) says the request came in over https. A client's own
 * X-Forwarded-Proto counts for nothing without that trust.
 */
export function isServedOverHttps(headers: Headers, env: { NEXTAUTH_URL?: string; TRUST_PROXY: boolean }): boolean {
  if (env.NEXTAUTH_URL?.startsWith("https://")) return true;
  if (!env.TRUST_PROXY) return false;
  return headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https";
}
