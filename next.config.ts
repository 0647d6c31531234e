import type { NextConfig } from "next";
import { STATIC_SECURITY_HEADERS } from "./lib/http/security-headers";

const config: NextConfig = {
  // dockerode pulls in ssh2's native module, which breaks the server bundle; pg and bcryptjs are
  // plain Node libraries that gain nothing from bundling.
  serverExternalPackages: ["dockerode", "pg", "@prisma/adapter-pg", "bcryptjs"],
  poweredByHeader: false,
  typedRoutes: false,
  async headers() {
    return [
      {
        source: "/:path*",
        // Every response; pages also get a per-request CSP and, over https, HSTS (proxy.ts).
        headers: STATIC_SECURITY_HEADERS,
      },
    ];
  },
};

export default config;
