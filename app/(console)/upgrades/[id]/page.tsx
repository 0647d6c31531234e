import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageActor } from "@/lib/auth/page-actor";
import { getUpgrade } from "@/lib/upgrades/list-upgrades";
import { isAppError } from "@/lib/errors";
import { Card, PageHeader } from "@/components/ui/card";
import { Badge, statusTone } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";

export const metadata: Metadata = { title: "Upgrade" };

export default async function UpgradePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor();
  const { id } = await params;
  const run = await getUpgrade({ actor, id }).catch((e: unknown) => {
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  });
  return (
    <>
      <PageHeader
        title={`${run.instanceName}: ${run.fromVersion} → ${run.toVersion}`}
        description={`${run.kind.replace("_", " ")} · requested by ${run.requestedBy ?? run.trigger}`}
        actions={<Badge tone={statusTone(run.status)}>{run.status.replace("_", " ")}</Badge>}
      />
      <Card title="Steps" actions={<Link className="text-sm text-brand-700 underline" href={`/instances/${run.instanceId}`}>Instance</Link>}>
        {run.steps.length === 0 ? (
          <p className="text-sm text-slate-600">This run has no steps yet.</p>
        ) : (
          <ol className="space-y-2">
            {run.steps.map((s, i) => (
              <li key={s.key} className="flex flex-wrap items-center gap-3 rounded-md border border-slate-100 px-3 py-2 text-sm">
                <span className="w-6 text-right text-slate-500">{i + 1}.</span>
                <span className="font-medium">{s.title}</span>
                <Badge tone={statusTone(s.status)}>{s.status}</Badge>
                <span className="text-xs text-slate-500">
                  expected {Math.round(s.expectedSeconds / 60)} min · started <Time value={s.startedAt} />
                </span>
                {s.error ? <span className="w-full text-red-700">{s.error}{s.hint ? ` (${s.hint})` : ""}</span> : null}
              </li>
            ))}
          </ol>
        )}
      </Card>
    </>
  );
}
