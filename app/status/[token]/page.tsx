import type { Metadata } from "next";
import { getPublicStatus } from "@/lib/status-pages/status-pages";
import { LiveStatus } from "@/components/status/live-status";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Upgrade status", robots: { index: false, follow: false } };

// No sign-in: the unguessable link is the key, and the page shows only the redacted status.
export default async function StatusPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const found = await getPublicStatus(token);
  if (!found) {
    return (
      <main className="mx-auto max-w-xl px-4 py-16 text-center">
        <h1 className="text-xl font-semibold">This status link is not valid</h1>
        <p className="mt-2 text-slate-600">It may have been revoked. Ask the person who shared it for a new one.</p>
      </main>
    );
  }
  return <LiveStatus token={token} initial={found.status} />;
}
