import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import "./globals.css";
import { Providers } from "@/components/providers";

export const metadata: Metadata = {
  title: { default: "WebWaka Upgrade Console", template: "%s · WebWaka Upgrade Console" },
  description: "Upgrade WebWaka platform instances safely.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page carries a per-request CSP nonce (proxy.ts), which only a page rendered per request
  // can put on its scripts: none may be prerendered, not even the 404 page.
  await connection();
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
