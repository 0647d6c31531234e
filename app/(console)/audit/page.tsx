import type { Metadata } from "next";
import Link from "next/link";
import { requirePageActor } from "@/lib/auth/page-actor";
import { auditFilterSchema } from "@/lib/audit/schemas";
import { listAuditLogs } from "@/lib/audit/list-audit-logs";
import { Alert, PageHeader } from "@/components/ui/card";
import { Field, Input, Select } from "@/components/ui/field";
import { buttonClass } from "@/components/ui/button";
import { AuditTable } from "@/components/audit/audit-table";
import { VerifyChainPanel } from "@/components/audit/verify-chain-panel";
import { getLatestFullVerification, readVerifiedCheckpoint } from "@/lib/audit/verifications";
import { can } from "@/lib/auth/permissions";
import { ActorFilterInput } from "@/components/audit/actor-filter-input";

export const metadata: Metadata = { title: "Audit log" };

type Search = Record<string, string | string[] | undefined>;

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requirePageActor();
  const raw = await searchParams;
  const values = Object.fromEntries(["actor", "action", "resourceType", "resourceId", "result", "from", "to", "cursor"].map((k) => [k, first(raw[k]) ?? ""]));
  const parsed = auditFilterSchema.safeParse({ ...values, cursor: values.cursor || undefined });
  const [page, checkpoint, lastFull] = await Promise.all([
    parsed.success ? listAuditLogs({ actor, filter: parsed.data }) : null,
    readVerifiedCheckpoint(),
    getLatestFullVerification({ actor }),
  ]);

  const filterQuery = new URLSearchParams(Object.entries(values).filter(([k, v]) => k !== "cursor" && v !== "")).toString();
  const nextHref = page?.nextCursor ? `/audit?${filterQuery ? filterQuery + "&" : ""}cursor=${page.nextCursor}` : null;
  const exportHref = `/api/superadmin/audit-logs/export${filterQuery ? "?" + filterQuery : ""}`;

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change, who made it and when. Entries are hash-chained and cannot be altered."
        actions={
          <a className={buttonClass("secondary")} href={exportHref} download>
            Export CSV
          </a>
        }
      />
      <form method="get" className="mb-4 grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-4" aria-label="Filter audit entries">
        <Field label="Actor" htmlFor="f-actor" hint="Exact email, token label or id; pick one as you type">
          <ActorFilterInput id="f-actor" name="actor" defaultValue={values.actor ?? ""} />
        </Field>
        <Field label="Action" htmlFor="f-action" hint="Exact, or a prefix ending in *">
          <Input id="f-action" name="action" defaultValue={values.action} placeholder="instance.update" />
        </Field>
        <Field label="Resource type" htmlFor="f-rtype">
          <Input id="f-rtype" name="resourceType" defaultValue={values.resourceType} placeholder="instance" />
        </Field>
        <Field label="Resource id" htmlFor="f-rid">
          <Input id="f-rid" name="resourceId" defaultValue={values.resourceId} />
        </Field>
        <Field label="Result" htmlFor="f-result">
          <Select id="f-result" name="result" defaultValue={values.result}>
            <option value="">Any</option>
            <option value="success">success</option>
            <option value="failure">failure</option>
            <option value="denied">denied</option>
          </Select>
        </Field>
        <Field label="From" htmlFor="f-from">
          <Input id="f-from" name="from" type="datetime-local" defaultValue={values.from} />
        </Field>
        <Field label="To" htmlFor="f-to">
          <Input id="f-to" name="to" type="datetime-local" defaultValue={values.to} />
        </Field>
        <div className="flex items-end gap-2">
          <button type="submit" className={buttonClass("primary")}>
            Apply filters
          </button>
          <Link href="/audit" className={buttonClass("ghost")}>
            Clear
          </Link>
        </div>
      </form>
      <div className="mb-4">
        <VerifyChainPanel checkpoint={checkpoint} initialFull={lastFull} canVerifyAll={can(actor.role, "audit:verify-full")} />
      </div>
      {parsed.success && page ? (
        <>
          <AuditTable entries={page.entries} />
          <div className="mt-4 flex justify-between">
            {values.cursor ? (
              <Link href={`/audit${filterQuery ? "?" + filterQuery : ""}`} className={buttonClass("secondary")}>
                Newest entries
              </Link>
            ) : (
              <span />
            )}
            {nextHref ? (
              <Link href={nextHref} className={buttonClass("secondary")}>
                Older entries
              </Link>
            ) : null}
          </div>
        </>
      ) : (
        <Alert>{parsed.success ? "" : `The filters are not valid: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}.`}</Alert>
      )}
    </>
  );
}
