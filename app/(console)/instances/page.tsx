import type { Metadata } from "next";
import { requirePageActor } from "@/lib/auth/page-actor";
import { listInstances } from "@/lib/instances/get-instance";
import { PageHeader } from "@/components/ui/card";
import { InstanceTable } from "@/components/instances/instance-table";

export const metadata: Metadata = { title: "Instances" };

export default async function InstancesPage() {
  const actor = await requirePageActor();
  const instances = await listInstances({ actor });
  return (
    <>
      <PageHeader title="Instances" description="Every WebWaka platform instance the console manages." />
      <InstanceTable initial={instances} />
    </>
  );
}
