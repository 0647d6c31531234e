import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requirePageActor } from "@/lib/auth/page-actor";
import { can } from "@/lib/auth/permissions";
import { getUpgrade } from "@/lib/upgrades/list-upgrades";
import { isAppError } from "@/lib/errors";
import { PageHeader } from "@/components/ui/card";
import { RunView } from "@/components/upgrades/run-view";
import { RunNotifications } from "@/components/notifications/notifications-section";

export const metadata: Metadata = { title: "Upgrade" };

export default async function UpgradePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor();
  const { id } = await params;
  const run = await getUpgrade({ actor, id }).catch((e: unknown) => {
    if (isAppError(e) && (e.code === "not_found" || e.code === "validation_failed")) notFound();
    throw e;
  });
  const title = run.kind === "upgrade" ? `${run.instanceName}: ${run.fromVersion} → ${run.toVersion}` : `${run.instanceName}: ${run.kind === "rollback" ? "rollback" : "emergency rollback"} to ${run.toVersion}`;
  return (
    <>
      <PageHeader title={title} description={`${run.kind.replace("_", " ")} · ${run.trigger.replace("_", " ")}`} />
      <RunView initial={run} can={{ run: can(actor.role, "upgrade:run"), approve: can(actor.role, "upgrade:approve"), rollback: can(actor.role, "rollback:run"), userEmail: actor.email }} />
      <RunNotifications actor={actor} runId={run.id} />
    </>
  );
}
