import { apiRoute, parseParam } from "@/lib/http/api-route";
import { runIdSchema } from "@/lib/upgrades/schemas";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { parseLastEventId, runEventStream } from "@/lib/events/run-stream";
import { actorStillAllowed } from "@/lib/auth/recheck-actor";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>("upgrade:read", async ({ req, actor, params }) => {
  const runId = parseParam(params.id, runIdSchema, "upgrade");
  if (!(await getDb().upgradeRun.findUnique({ where: { id: runId }, select: { id: true } }))) throw new AppError("not_found", `No upgrade with id ${runId}.`);
  return runEventStream({ runId, lastEventId: parseLastEventId(req), signal: req.signal, stillAllowed: actorStillAllowed(actor, "upgrade:read") });
});
