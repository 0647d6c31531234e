import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageActor } from "@/lib/auth/page-actor";
import { can } from "@/lib/auth/permissions";
import { getInstance } from "@/lib/instances/get-instance";
import { listReleases } from "@/lib/releases/list-releases";
import { listAuditLogs } from "@/lib/audit/list-audit-logs";
import { isAppError } from "@/lib/errors";
import { CHANNEL_LABELS } from "@/lib/instances/channels";
import { Card, PageHeader } from "@/components/ui/card";
import { Badge, statusTone } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";
import { ChannelForm } from "@/components/instances/channel-form";
import { MaintenanceForm } from "@/components/instances/maintenance-form";
import { MonitoringPolicyForm } from "@/components/instances/monitoring-policy-form";
import { AuditTable } from "@/components/audit/audit-table";
import { InstanceOps, UpgradeForm } from "@/components/instances/upgrade-form";
import { listBackups } from "@/lib/backups/request-backup";
import { listUpgrades } from "@/lib/upgrades/list-upgrades";
import { UpgradeTable } from "@/components/upgrades/upgrade-table";
import { compareVersions } from "@/lib/versions";
import { listFreezes } from "@/lib/channels/freeze-periods";
import { findInstanceStatusPage } from "@/lib/status-pages/status-pages";
import { ShareStatusPage } from "@/components/status/share-status-page";
import { ScheduleForm } from "@/components/instances/schedule-form";
import { FreezeManager } from "@/components/instances/freeze-manager";
import { NotificationsSection } from "@/components/notifications/notifications-section";

export const metadata: Metadata = { title: "Instance" };

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

export default async function InstancePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor();
  const { id } = await params;
  const instance = await getInstance({ actor, id }).catch((e: unknown) => {
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  });
  const [releases, history, backups, runs, freezes, statusPage] = await Promise.all([
    listReleases({ actor, query: { type: "platform" } }),
    listAuditLogs({ actor, filter: { resourceType: "instance", resourceId: instance.id, limit: 10 } }),
    listBackups({ actor, instanceId: instance.id }),
    listUpgrades({ actor, instanceId: instance.id, limit: 10 }),
    listFreezes({ actor, instanceId: instance.id }),
    findInstanceStatusPage({ actor, instanceId: instance.id }),
  ]);
  const targets = releases
    .filter((r) => compareVersions(r.version, instance.version) > 0 && r.status !== "deprecated")
    .map((r) => ({ version: r.version, label: `${r.version}${r.status === "beta" ? " (test build)" : ""}${r.security ? " · security" : ""}${r.breaking ? " · breaking" : ""}` }));
  const canRun = can(actor.role, "upgrade:run");
  const canBackup = can(actor.role, "backup:run");
  const canEdit = can(actor.role, "instance:update");
  const canMaintain = can(actor.role, "instance:maintenance");

  return (
    <>
      <PageHeader
        title={instance.name}
        description={instance.url}
        actions={
          <div className="flex flex-wrap items-center gap-2">
            <ShareStatusPage createUrl={`/api/superadmin/instances/${instance.id}/status-page`} initial={statusPage} canManage={canRun} />
            <Badge tone={statusTone(instance.status)}>{instance.status.replace("_", " ")}</Badge>
            {instance.maintenanceMode ? <Badge tone="yellow">maintenance</Badge> : null}
          </div>
        }
      />
      {instance.attention ? (
        <div role="alert" data-testid="instance-attention" className="mb-6 rounded-md border border-red-300 bg-red-50 p-4 text-sm text-red-900">
          <p className="font-semibold">This instance needs attention</p>
          <p className="mt-1">{instance.attention.reason}</p>
          <p className="mt-1 text-xs text-red-700">
            Since <Time value={instance.attention.since} />
          </p>
        </div>
      ) : null}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Overview">
          <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
            <dt className="text-slate-500">Version</dt>
            <dd className="font-mono" data-testid="instance-version">{instance.version}</dd>
            <dt className="text-slate-500">Update channel</dt>
            <dd data-testid="instance-channel">{CHANNEL_LABELS[instance.updateChannel]}</dd>
            <dt className="text-slate-500">Pinned version</dt>
            <dd className="font-mono">{instance.pinnedVersion ?? "—"}</dd>
            <dt className="text-slate-500">Maintenance windows</dt>
            <dd>
              {instance.maintenanceWindow
                ? instance.maintenanceWindow.windows.map((w) => `${DAYS[w.dayOfWeek]} ${w.start} (${w.durationMinutes} min)`).join(", ") + ` · ${instance.maintenanceWindow.timezone}`
                : "None"}
            </dd>
            <dt className="text-slate-500">Post-upgrade monitoring</dt>
            <dd data-testid="instance-monitoring">
              {Math.round((instance.monitoringWindowMinutes / 60) * 100) / 100} h · {instance.rollbackOnMonitoringBreach ? "rolls back on a breach" : "alerts on a breach"}
            </dd>
            <dt className="text-slate-500">Maintenance message</dt>
            <dd>{instance.maintenanceMessage ?? "—"}</dd>
            <dt className="text-slate-500">Last backup</dt>
            <dd>
              <Time value={instance.lastBackupAt} />
            </dd>
            <dt className="text-slate-500">Active upgrade</dt>
            <dd>{instance.activeUpgradeId ? <Link className="text-brand-700 underline" href={`/upgrades/${instance.activeUpgradeId}`}>{instance.activeUpgradeId}</Link> : "None"}</dd>
          </dl>
        </Card>
        {canEdit ? (
          <Card title="Channel and pinning">
            <ChannelForm instanceId={instance.id} channel={instance.updateChannel} pinnedVersion={instance.pinnedVersion} versions={releases.map((r) => r.version)} />
          </Card>
        ) : null}
        {canEdit ? (
          <Card title="Maintenance windows and approvals">
            <ScheduleForm
              instanceId={instance.id}
              initial={{ timezone: instance.timezone, windows: instance.maintenanceWindow?.windows ?? [], requiredApprovals: instance.requiredApprovals, autoRollback: instance.autoRollback }}
            />
          </Card>
        ) : null}
        <Card title="Change freezes">
          <FreezeManager instanceId={instance.id} freezes={freezes} canManage={can(actor.role, "freeze:manage")} />
        </Card>
        {canEdit ? (
          <Card title="Monitoring policy">
            <MonitoringPolicyForm instanceId={instance.id} policy={{ monitoringWindowMinutes: instance.monitoringWindowMinutes, rollbackOnMonitoringBreach: instance.rollbackOnMonitoringBreach }} />
          </Card>
        ) : null}
        {canMaintain ? (
          <Card title="Maintenance mode">
            <MaintenanceForm instanceId={instance.id} enabled={instance.maintenanceMode} locked={!!instance.activeUpgradeId} />
          </Card>
        ) : null}
        {canRun && !instance.activeUpgradeId ? (
          <Card title="Upgrade">
            <UpgradeForm instanceId={instance.id} targets={targets} frozen={instance.updateChannel === "frozen"} />
          </Card>
        ) : null}
        <Card title="Backups" actions={canBackup ? <InstanceOps instanceId={instance.id} instanceName={instance.name} canEmergency={can(actor.role, "rollback:run")} hasBackup={runs.some((r) => r.kind === "upgrade" && r.status !== "pending_approval")} /> : null}>
          {backups.length === 0 ? (
            <p className="text-sm text-slate-600">No backups yet. Every upgrade takes one before it changes anything.</p>
          ) : (
            <ul className="space-y-1 text-sm" aria-label="Backups">
              {backups.slice(0, 8).map((b) => (
                <li key={b.id} className="flex flex-wrap items-center gap-2">
                  <Badge tone={statusTone(b.status)}>{b.status}</Badge>
                  <Time value={b.createdAt} />
                  {b.sizeBytes !== null ? <span className="text-slate-500">{Math.round(b.sizeBytes / 1024)} KiB</span> : null}
                  {b.sha256 ? <span className="font-mono text-xs text-slate-500">sha256 {b.sha256.slice(0, 12)}…</span> : null}
                  {b.hint ? <span className="text-red-700">{b.hint}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </Card>
        {runs.length > 0 ? (
          <div className="lg:col-span-2">
            <UpgradeTable runs={runs} />
          </div>
        ) : null}
        <NotificationsSection actor={actor} instanceId={instance.id} />
        <Card title="Recent changes" className="lg:col-span-2" actions={<Link className="text-sm text-brand-700 underline" href={`/audit?resourceType=instance&resourceId=${instance.id}`}>All entries</Link>}>
          <AuditTable entries={history.entries} compact />
        </Card>
      </div>
    </>
  );
}
