import { getPublicStatus } from "@/lib/status-pages/status-pages";
import { parseLastEventId, runEventStream } from "@/lib/events/run-stream";

export const dynamic = "force-dynamic";

// The stakeholder stream: state changes only, with nothing in them but their kind. The page
// refetches the redacted status on each; log lines and messages never leave.
export async function GET(req: Request, ctx: { params: Promise<{ token: string }> }): Promise<Response> {
  const found = await getPublicStatus((await ctx.params).token);
  if (!found?.runId) return new Response("Not found", { status: 404 });
  return runEventStream({
    runId: found.runId,
    lastEventId: parseLastEventId(req),
    signal: req.signal,
    redact: (e) => (e.type === "run_status" || e.type === "step_status" ? { id: e.id, type: "change", stepKey: null, level: null, message: null, data: null, at: e.at } : null),
  });
}
