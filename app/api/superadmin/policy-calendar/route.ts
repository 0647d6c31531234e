import { apiRoute, parseQuery } from "@/lib/http/api-route";
import { getPolicyCalendar } from "@/lib/channels/policy-calendar";
import { pageQuerySchema } from "@/lib/page-query";

export const dynamic = "force-dynamic";

export const GET = apiRoute("instance:read", async ({ req, actor }) => Response.json(await getPolicyCalendar({ actor, query: parseQuery(req, pageQuerySchema) })));
