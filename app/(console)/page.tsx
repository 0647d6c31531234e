import type { Metadata } from "next";
import Link from "next/link";
import { requirePageActor } from "@/lib/auth/page-actor";
import { summarizeInstances } from "@/lib/instances/summarize-instances";
import { listUpgrades } from "@/lib/upgrades/list-upgrades";
import { countUpgrades } from "@/lib/upgrades/count-upgrades";
import { listAuditLogs } from "@/lib/audit/list-audit-logs";
import { Card, PageHeader } from "@/components/ui/card";
import { Badge, statusTone } from "@/components/ui/badge";
import { AuditTable } from "@/components/audit/audit-table";
import { can } from "@/lib/auth/permissions";
import { listAlerts } from "@/lib/alerts/list-alerts";
import { getFleetOverview } from "@/lib/alerts/get-fleet-overview";
import { FLEET_LIMITS } from "@/lib/alerts/fleet-rules";
import { OpenAlerts } from "@/components/dashboard/open-alerts";
import { RateCard } from "@/components/dashboard/rate-card";
import { UpgradeTable } from "@/components/upgrades/upgrade-table";

export const metadata: Metadata = { title: "Dashboard" };

const ACTIVE = ["approved", "scheduled", "running", "awaiting_checklist", "monitoring", "rolling_back"] as const;
const ACTIVE_SHOWN = 20;

export default async function DashboardPage() {
  const actor = await requirePageActor();
  const [instances, active, activeCount, pendingCount, recent, alerts, fleet] = await Promise.all([
    summarizeInstances({ actor }),
    listUpgrades({ actor, status: [...ACTIVE], limit: ACTIVE_SHOWN }),
    countUpgrades({ actor, status: [...ACTIVE] }),
    countUpgrades({ actor, status: ["pending_approval"] }),
    listAuditLogs({ actor, filter: { limit: 8 } }),
    listAlerts({ actor, query: { status: "open", limit: 20 } }),
    getFleetOverview({ actor }),
  ]);
  const { current, previous, days, periodHours } = fleet;

  return (
    <>
      <PageHeader title="Dashboard" description="The fleet at a glance." />
      <div className="grid gap-4 sm:grid-cols-3 lg:grid-cols-5">
        <Stat label="Instances" value={instances.total} href="/instances" />
        <Stat label="Active runs" value={activeCount} href="/upgrades" />
        <Stat label="Pending approvals" value={pendingCount} href="/approvals" />
        <Stat label="In maintenance" value={instances.inMaintenance} href="/instances" />
        <Stat label="Open alerts" value={alerts.length} href="#open-alerts" />
      </div>
      <div className="mt-4 grid gap-4 sm:grid-cols-2">
        <RateCard label="Success rate" rate="successRate" value={current.successRate} previous={previous.successRate} days={days} limit={FLEET_LIMITS.successRateMin} detail={`${current.succeeded} of ${current.finished} upgrades in the last ${periodHours} h; alert under ${FLEET_LIMITS.successRateMin * 100}%`} />
        <RateCard label="Rollback rate" rate="rollbackRate" value={current.rollbackRate} previous={previous.rollbackRate} days={days} limit={FLEET_LIMITS.rollbackRateMax} detail={`${current.rolledBack} of ${current.finished} upgrades in the last ${periodHours} h; alert over ${FLEET_LIMITS.rollbackRateMax * 100}%`} />
      </div>
      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <Card title="Versions across the fleet">
          {instances.byVersion.length === 0 ? (
            <p className="text-sm text-slate-600">No instances yet.</p>
          ) : (
            <ul className="space-y-2" aria-label="Instances per version">
              {instances.byVersion.map(({ version, count }) => (
                <li key={version} className="flex items-center gap-3 text-sm">
                  <span className="w-16 font-mono">{version}</span>
                  <span className="h-2 rounded bg-brand-600" style={{ width: `${Math.max(8, (count / instances.total) * 100)}%` }} aria-hidden />
                  <span className="text-slate-600">{count}</span>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Instance status">
          {instances.byStatus.length === 0 ? (
            <p className="text-sm text-slate-600">No instances yet.</p>
          ) : (
            <ul className="flex flex-wrap gap-2">
              {instances.byStatus.map(({ status, count }) => (
                <li key={status}>
                  <Badge tone={statusTone(status)}>
                    {status.replace("_", " ")}: {count}
                  </Badge>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <div id="open-alerts" className="lg:col-span-2">
          <Card title={`Open alerts (${alerts.length})`}>
            <OpenAlerts alerts={alerts} canResolve={can(actor.role, "alert:resolve")} />
          </Card>
        </div>
        <div className="lg:col-span-2">
          {active.length === 0 ? (
            <Card title="Active runs">
              <p className="text-sm text-slate-600">No upgrade or rollback is active.</p>
            </Card>
          ) : (
            <>
              <UpgradeTable runs={active} />
              {activeCount > active.length ? (
                <p className="mt-2 text-sm text-slate-600">
                  The {active.length} newest of {activeCount} active runs.{" "}
                  <Link href="/upgrades" className="text-brand-700 underline">
                    All upgrades
                  </Link>
                </p>
              ) : null}
            </>
          )}
        </div>
        <Card title="Recent activity" className="lg:col-span-2" actions={<Link href="/audit" className="text-sm text-brand-700 underline">Audit log</Link>}>
          <AuditTable entries={recent.entries} />
        </Card>
      </div>
    </>
  );
}

function Stat({ label, value, href }: { label: string; value: number; href: string }) {
  return (
    <Link href={href} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-600">
      <p className="text-sm text-slate-600">{label}</p>
      <p className="mt-1 text-3xl font-semibold text-slate-900">{value}</p>
    </Link>
  );
}
