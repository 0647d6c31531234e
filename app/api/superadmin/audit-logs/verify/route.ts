import { apiRoute } from "@/lib/http/api-route";
import { verifyAuditChainIncremental } from "@/lib/audit/verify-incremental";

export const GET = apiRoute("audit:verify", async ({ actor }) => {
  const verdict = await verifyAuditChainIncremental({ actor });
  return Response.json(verdict, { status: verdict.ok ? 200 : 409 });
});
