import type { Metadata } from "next";
import { requirePageActor } from "@/lib/auth/page-actor";
import { listUpgrades } from "@/lib/upgrades/list-upgrades";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { UpgradeTable } from "@/components/upgrades/upgrade-table";
import { LiveRefresh } from "@/components/shell/live-refresh";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  const actor = await requirePageActor();
  const runs = await listUpgrades({ actor, status: ["pending_approval"] });
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Upgrades that need approval wait here for a second person: every request on the manual-approval channel, and breaking releases on auto-update."
        actions={<LiveRefresh src="/api/superadmin/approvals/events" label="Approval queue updates" />}
      />
      {runs.length === 0 ? <EmptyState title="Nothing waits for approval">Upgrades that need approval appear here.</EmptyState> : <UpgradeTable runs={runs} />}
    </>
  );
}
