"use client";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

/**
 * Keeps a server-rendered page current: listens to an SSE stream of `change` events and refetches
 * the page on each. EventSource reconnects by itself; the badge says whether the page is live.
 */
export function LiveRefresh({ src, label }: { src: string; label: string }) {
  const router = useRouter();
  const [live, setLive] = useState(false);
  useEffect(() => {
    const es = new EventSource(src);
    es.onopen = () => setLive(true);
    es.onerror = () => setLive(false);
    es.addEventListener("change", () => router.refresh());
    return () => es.close();
  }, [src, router]);
  return (
    <span role="status" aria-label={label} data-live={live} className="inline-flex items-center gap-1.5 text-xs text-slate-600">
      <span aria-hidden className={`h-2 w-2 rounded-full ${live ? "bg-green-500" : "bg-slate-300"}`} />
      {live ? "Live" : "Connecting…"}
    </span>
  );
}
