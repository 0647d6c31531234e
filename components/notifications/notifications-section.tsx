import type { HumanActor } from "@/lib/auth/actor";
import { can } from "@/lib/auth/permissions";
import { listChannels } from "@/lib/notifications/list-channels";
import { listStakeholders } from "@/lib/notifications/list-stakeholders";
import { listNotifications } from "@/lib/notifications/list-notifications";
import { Card } from "@/components/ui/card";
import { StakeholderManager } from "@/components/notifications/stakeholder-manager";
import { ChannelManager } from "@/components/notifications/channel-manager";
import { DeliveryTable } from "@/components/notifications/delivery-table";

/** The instance page's notifications: stakeholders, channels, recent deliveries. */
export async function NotificationsSection({ actor, instanceId }: { actor: HumanActor; instanceId: string }) {
  const [stakeholders, channels, deliveries] = await Promise.all([
    listStakeholders({ actor, instanceId }),
    listChannels({ actor, instanceId }),
    listNotifications({ actor, query: { instanceId, limit: 15 } }),
  ]);
  const canManage = can(actor.role, "notification:manage");
  return (
    <Card title="Notifications" className="lg:col-span-2">
      <div className="grid gap-6 lg:grid-cols-2">
        <StakeholderManager instanceId={instanceId} stakeholders={stakeholders} canManage={canManage} />
        <div className="space-y-3">
          <h3 className="text-sm font-semibold text-slate-900">Channels</h3>
          <p className="text-xs text-slate-500">Fleet-wide channels (on-call) are managed in Settings and hear every instance.</p>
          <ChannelManager instanceId={instanceId} channels={channels} canManage={canManage} />
        </div>
        <div className="lg:col-span-2">
          <DeliveryTable notifications={deliveries} canManage={canManage} />
        </div>
      </div>
    </Card>
  );
}

/** A run's notifications and their status, for the run page. */
export async function RunNotifications({ actor, runId }: { actor: HumanActor; runId: string }) {
  const notifications = await listNotifications({ actor, query: { runId, limit: 50 } });
  return (
    <Card title="Notifications" className="mt-6">
      <DeliveryTable notifications={notifications} canManage={can(actor.role, "notification:manage")} caption="Notifications of this run" />
    </Card>
  );
}
