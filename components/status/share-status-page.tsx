"use client";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { postJson } from "@/components/upgrades/use-run";
import type { StatusPageLink } from "@/lib/status-pages/status-pages";

/**
 * The stakeholder link of a run or an instance: create it, open it, or revoke it (the link stops
 * working at once). Only the token's hash is stored, so the full link is shown once, right after
 * it is created; afterwards the link is named by its first characters. Errors show beside the buttons.
 */
export function ShareStatusPage({ createUrl, initial, canManage }: { createUrl: string; initial: StatusPageLink | null; canManage: boolean }) {
  const [page, setPage] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();

  function share() {
    start(async () => {
      const res = await postJson(createUrl);
      if (res.ok) {
        setPage((res.data as { statusPage: StatusPageLink }).statusPage);
        setError(null);
      } else setError(res.message);
    });
  }

  function revoke(id: string) {
    if (!window.confirm("Revoke this status page? Everyone with the link loses access at once.")) return;
    start(async () => {
      const res = await postJson(`/api/superadmin/status-pages/${id}/revoke`);
      if (res.ok) {
        setPage(null);
        setError(null);
      } else setError(res.message);
    });
  }

  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      {page?.url ? (
        <>
          <a className="text-sm text-brand-700 underline" href={page.url} target="_blank" rel="noreferrer" data-testid="status-page-link">
            Stakeholder status page
          </a>
          <span className="text-xs text-slate-500">Copy the link now: it is shown only once.</span>
        </>
      ) : page ? (
        <span className="text-sm text-slate-600" data-testid="status-page-active" title={`Created ${page.createdAt.slice(0, 16).replace("T", " ")} UTC`}>
          Status link <code>/status/{page.prefix}…</code> is active
        </span>
      ) : null}
      {page && canManage ? (
        <Button variant="secondary" disabled={pending} onClick={() => revoke(page.id)}>
          Revoke link
        </Button>
      ) : null}
      {canManage && !page?.url ? (
        <Button variant="secondary" disabled={pending} onClick={share}>
          {page ? "Share a new link" : "Share a status page"}
        </Button>
      ) : null}
      {error ? (
        <span role="alert" className="text-sm text-red-700">
          {error}
        </span>
      ) : null}
    </span>
  );
}
