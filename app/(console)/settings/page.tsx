import type { Metadata } from "next";
import { requirePageActor } from "@/lib/auth/page-actor";
import { can } from "@/lib/auth/permissions";
import { listUsers } from "@/lib/users/manage-users";
import { listApiTokens } from "@/lib/users/api-tokens";
import { Card, PageHeader } from "@/components/ui/card";
import { UserManager } from "@/components/settings/user-manager";
import { TokenManager } from "@/components/settings/token-manager";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const actor = await requirePageActor();
  const manageUsers = can(actor.role, "user:manage");
  const manageTokens = can(actor.role, "token:manage");
  const [users, tokens] = await Promise.all([manageUsers ? listUsers({ actor }) : null, manageTokens ? listApiTokens({ actor }) : null]);
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
        {tokens ? (
          <Card title="API tokens">
            <TokenManager tokens={tokens} />
          </Card>
        ) : null}
      </div>
    </>
  );
}
