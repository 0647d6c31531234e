import type { NextConfig } from "next";

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
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "no-referrer" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

export default config;
