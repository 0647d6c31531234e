import { apiRoute } from "@/lib/http/api-route";
import { verifyAuditChain } from "@/lib/audit/verify-audit-chain";

export const GET = apiRoute("audit:verify", async () => {
  const verdict = await verifyAuditChain();
  return Response.json(verdict, { status: verdict.ok ? 200 : 409 });
});
