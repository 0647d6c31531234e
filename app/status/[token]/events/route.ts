import { getPublicStatus, publicStatusFingerprint, statusLinkStillAllowed, statusLinkViewKey, redactForStakeholders } from "@/lib/status-pages/status-pages";
import { parseLastEventId, runEventStream } from "@/lib/events/run-stream";
import { snapshotStream } from "@/lib/events/snapshot-stream";

export const dynamic = "force-dynamic";

// The stakeholder stream: state changes only, with nothing in them but their kind. The page
// refetches the redacted status on each; log lines and messages never leave.
export async function GET(req: Request, ctx: { params: Promise<{ token: string }> }): Promise<Response> {
  const token = (await ctx.params).token;
  const found = await getPublicStatus(token);
  if (!found) return new Response("Not found", { status: 404 });
  // A revoked or expired link ends the open streams too, within a few seconds.
  const stillAllowed = statusLinkStillAllowed(token);
  if (found.follows === "instance" || !found.runId) {
    // An instance's page moves from run to run: compare what the page would show instead.
    return snapshotStream({ key: statusLinkViewKey(token), signal: req.signal, stillAllowed, snapshot: () => publicStatusFingerprint(token) });
  }
  return runEventStream({ runId: found.runId, lastEventId: parseLastEventId(req), signal: req.signal, stillAllowed, redact: redactForStakeholders });
}
