import type { Metadata } from "next";
import Markdown from "react-markdown";
import { requirePageActor } from "@/lib/auth/page-actor";
import { listReleases } from "@/lib/releases/list-releases";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";

export const metadata: Metadata = { title: "Releases" };

export default async function ReleasesPage() {
  const actor = await requirePageActor();
  const releases = await listReleases({ actor, query: { type: "platform" } });
  return (
    <>
      <PageHeader title="Releases" description="Platform releases the console knows, newest first." />
      {releases.length === 0 ? (
        <EmptyState title="No releases yet">Releases appear here when the release feed is synced.</EmptyState>
      ) : (
        <div className="space-y-4">
          {releases.map((r) => (
            <Card
              key={r.version}
              title={
                <span className="flex flex-wrap items-center gap-2">
                  <span className="font-mono text-base">{r.version}</span>
                  <Badge tone={r.status === "stable" ? "green" : "gray"}>{r.status}</Badge>
                  {r.security ? <Badge tone="red">security</Badge> : null}
                  {r.critical ? <Badge tone="red">critical</Badge> : null}
                  {r.breaking ? <Badge tone="yellow">breaking</Badge> : null}
                </span>
              }
              actions={
                <span className="text-xs text-slate-500">
                  Released <Time value={r.releasedAt} />
                  {r.minUpgradeFrom ? ` · upgrades from ${r.minUpgradeFrom} or later` : ""}
                </span>
              }
            >
              {/* react-markdown renders no raw HTML, so a changelog cannot inject markup. */}
              <div className="prose-changelog text-sm text-slate-700" data-testid={`changelog-${r.version}`}>
                <Markdown>{r.changelog}</Markdown>
              </div>
            </Card>
          ))}
        </div>
      )}
    </>
  );
}
