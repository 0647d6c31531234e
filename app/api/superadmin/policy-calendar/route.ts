import { apiRoute } from "@/lib/http/api-route";
import { getPolicyCalendar } from "@/lib/channels/policy-calendar";

export const dynamic = "force-dynamic";

export const GET = apiRoute("instance:read", async ({ actor }) => Response.json(await getPolicyCalendar({ actor })));
