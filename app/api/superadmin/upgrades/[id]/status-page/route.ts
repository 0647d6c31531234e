import { apiRoute, parseParam } from "@/lib/http/api-route";
import { runIdSchema } from "@/lib/upgrades/schemas";
import { createStatusPage } from "@/lib/status-pages/status-pages";

export const POST = apiRoute<{ id: string }>("upgrade:run", async ({ actor, params }) =>
  Response.json({ statusPage: await createStatusPage({ actor, runId: parseParam(params.id, runIdSchema, "upgrade") }) }, { status: 201 }),
);
