"use client";
import { useEffect, useState } from "react";
import type { PublicStatus } from "@/lib/status-pages/status-pages";

function eta(seconds: number | null): string | null {
  if (seconds === null) return null;
  if (seconds < 60) return "less than a minute";
  const m = Math.round(seconds / 60);
  return m < 60 ? `about ${m} minute${m === 1 ? "" : "s"}` : `about ${Math.round(m / 60)} hour${m >= 90 ? "s" : ""}`;
}

const DOT: Record<string, string> = { done: "bg-emerald-500", "in progress": "bg-blue-500 animate-pulse", waiting: "bg-amber-400", problem: "bg-red-500", skipped: "bg-slate-300", "not started": "bg-slate-200", stopped: "bg-slate-400" };

export function LiveStatus({ token, initial }: { token: string; initial: PublicStatus }) {
  const [status, setStatus] = useState(initial);
  const [live, setLive] = useState(false);
  useEffect(() => {
    const refresh = () =>
      void fetch(`/status/${token}/state`, { cache: "no-store" })
        .then((r) => (r.ok ? (r.json() as Promise<PublicStatus>) : null))
        .then((s) => s && setStatus(s))
        .catch(() => undefined);
    const source = new EventSource(`/status/${token}/events`);
    source.addEventListener("change", refresh);
    source.onopen = () => {
      setLive(true);
      refresh();
    };
    source.onerror = () => setLive(false);
    return () => source.close();
  }, [token]);

  const remaining = eta(status.etaSeconds);
  return (
    <main className="mx-auto max-w-xl px-4 py-8">
      <p className="text-sm font-medium text-slate-500">{status.instance}</p>
      <h1 className="mt-1 text-2xl font-semibold text-slate-900" data-testid="status-headline">
        {status.headline}
      </h1>
      <p className="mt-1 text-slate-700">{status.change}</p>
      {remaining ? (
        <p className="mt-3 text-slate-700" data-testid="status-eta">
          Estimated time remaining: <strong>{remaining}</strong>
        </p>
      ) : null}
      {status.maintenanceMessage ? <p className="mt-4 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900">{status.maintenanceMessage}</p> : null}
      {status.steps.length > 0 ? (
        <ol className="mt-6 space-y-2" aria-label="Progress">
          {status.steps.map((s, i) => (
            <li key={i} className="flex items-center gap-3 rounded-md bg-white px-3 py-2 shadow-sm" data-state={s.state}>
              <span aria-hidden className={`h-3 w-3 shrink-0 rounded-full ${DOT[s.state] ?? "bg-slate-200"}`} />
              <span className="flex-1">{s.title}</span>
              <span className="text-sm text-slate-500">{s.state}</span>
            </li>
          ))}
        </ol>
      ) : null}
      <p className="mt-6 text-xs text-slate-500" role="status">
        {live ? "This page updates by itself." : "Reconnecting…"} Last change {status.updatedAt.slice(0, 16).replace("T", " ")} UTC.
      </p>
    </main>
  );
}
