"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { AlertDto } from "@/lib/alerts/list-alerts";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { Time } from "@/components/ui/time";
import { postJson } from "@/components/upgrades/use-run";

const KIND_LABEL: Record<AlertDto["kind"], string> = {
  upgrade_duration: "Long upgrade",
  success_rate: "Success rate",
  post_upgrade_error_rate: "Post-upgrade errors",
  rollback_rate: "Rollback rate",
  monitoring_breach: "Monitoring breach",
};

/** Open alerts; a superadmin resolves one by hand (audited). */
export function OpenAlerts({ alerts, canResolve }: { alerts: AlertDto[]; canResolve: boolean }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);

  function resolve(a: AlertDto) {
    if (!window.confirm(`Resolve this alert? If its condition still holds, a new one opens.\n\n${a.message}`)) return;
    start(async () => {
      const res = await postJson(`/api/superadmin/alerts/${a.id}/resolve`, {});
      if (!res.ok) setError(res.message);
      else {
        setError(null);
        router.refresh();
      }
    });
  }

  if (alerts.length === 0) return <p className="text-sm text-slate-600">No open alerts.</p>;
  return (
    <div className="space-y-2">
      {error ? <Alert>{error}</Alert> : null}
      <ul className="divide-y divide-slate-100" aria-label="Open alerts">
        {alerts.map((a) => (
          <li key={a.id} className="flex flex-wrap items-center gap-2 py-2 text-sm">
            <Badge tone={a.severity === "critical" ? "red" : "yellow"}>{KIND_LABEL[a.kind]}</Badge>
            <span className="min-w-0 flex-1">{a.message}</span>
            <span className="text-xs text-slate-500">
              <Time value={a.openedAt} />
            </span>
            {a.runId ? (
              <Link className="text-brand-700 underline" href={`/upgrades/${a.runId}`}>
                Run
              </Link>
            ) : null}
            {canResolve ? (
              <Button variant="secondary" disabled={pending} onClick={() => resolve(a)} aria-label={`Resolve alert: ${a.message}`}>
                Resolve
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
