import { apiRoute } from "@/lib/http/api-route";
import { getLatestFullVerification, requestFullVerification } from "@/lib/audit/verifications";

export const GET = apiRoute("audit:verify", async ({ actor }) => Response.json({ verification: await getLatestFullVerification({ actor }) }));

// 202 whether it queued a new one or found one queued or running (`started` says which).
export const POST = apiRoute("audit:verify-full", async ({ actor }) => Response.json(await requestFullVerification({ actor }), { status: 202 }));
