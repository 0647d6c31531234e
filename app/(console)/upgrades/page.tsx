import type { Metadata } from "next";
import { requirePageActor } from "@/lib/auth/page-actor";
import { listUpgrades } from "@/lib/upgrades/list-upgrades";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { UpgradeTable } from "@/components/upgrades/upgrade-table";

export const metadata: Metadata = { title: "Upgrades" };

export default async function UpgradesPage() {
  const actor = await requirePageActor();
  const runs = await listUpgrades({ actor });
  return (
    <>
      <PageHeader title="Upgrades" description="Upgrade and rollback runs across the fleet, newest first." />
      {runs.length === 0 ? <EmptyState title="No upgrade runs yet">Runs appear here, with their steps, as soon as one is requested.</EmptyState> : <UpgradeTable runs={runs} />}
    </>
  );
}
