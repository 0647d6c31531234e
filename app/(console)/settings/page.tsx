import type { Metadata } from "next";
import { requirePageActor } from "@/lib/auth/page-actor";
import { can } from "@/lib/auth/permissions";
import { listUsers } from "@/lib/users/manage-users";
import { listApiTokens } from "@/lib/users/api-tokens";
import { Card, PageHeader } from "@/components/ui/card";
import { UserManager } from "@/components/settings/user-manager";
import { TokenManager } from "@/components/settings/token-manager";
import { ChannelManager } from "@/components/notifications/channel-manager";
import { listChannels } from "@/lib/notifications/list-channels";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const actor = await requirePageActor();
  const manageUsers = can(actor.role, "user:manage");
  const manageTokens = can(actor.role, "token:manage");
  const [users, tokens, fleetChannels] = await Promise.all([manageUsers ? listUsers({ actor }) : null, manageTokens ? listApiTokens({ actor }) : null, listChannels({ actor, instanceId: null })]);
  return (
    <>
      <PageHeader title="Settings" description="People who use the console, and tokens for scripts." />
      <div className="space-y-6">
        <Card title="Your account">
          <p className="text-sm text-slate-700">
            Signed in as <strong>{actor.email}</strong> with the role <strong>{actor.role}</strong>.
          </p>
          {!manageUsers ? <p className="mt-2 text-sm text-slate-600">Only a superadmin manages users and API tokens.</p> : null}
        </Card>
        {users ? (
          <Card title="Users">
            <UserManager users={users} selfId={actor.userId} />
          </Card>
        ) : null}
        <Card title="On-call and fleet-wide channels">
          <p className="mb-3 text-sm text-slate-600">These channels hear the events of every instance. An emergency rollback pages PagerDuty channels with severity critical.</p>
          <ChannelManager instanceId={null} channels={fleetChannels} canManage={can(actor.role, "notification:manage")} />
        </Card>
        {tokens ? (
          <Card title="API tokens">
            <TokenManager tokens={tokens} />
          </Card>
        ) : null}
      </div>
    </>
  );
}
