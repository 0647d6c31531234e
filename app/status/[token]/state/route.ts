import { getPublicStatus } from "@/lib/status-pages/status-pages";
import { logError } from "@/lib/log";

export const dynamic = "force-dynamic";

// Public by design: the unguessable token is the capability. It answers only the redacted status.
export async function GET(_req: Request, ctx: { params: Promise<{ token: string }> }): Promise<Response> {
  try {
    const found = await getPublicStatus((await ctx.params).token);
    if (!found) return Response.json({ error: { code: "not_found", message: "This status link is not valid, or it was revoked." } }, { status: 404 });
    return Response.json(found.status, { headers: { "cache-control": "no-store" } });
  } catch (e) {
    const id = logError("status page failed", e);
    return Response.json({ error: { code: "internal", message: `The status could not be read (reference ${id}).` } }, { status: 500 });
  }
}
