import { apiRoute, parseParam } from "@/lib/http/api-route";
import { instanceIdSchema } from "@/lib/instances/schemas";
import { createStatusPage } from "@/lib/status-pages/status-pages";

// A stakeholder page for the instance itself: it always shows the instance's latest upgrade.
export const POST = apiRoute<{ id: string }>("upgrade:run", async ({ actor, params }) =>
  Response.json({ statusPage: await createStatusPage({ actor, instanceId: parseParam(params.id, instanceIdSchema, "instance") }) }, { status: 201 }),
);
