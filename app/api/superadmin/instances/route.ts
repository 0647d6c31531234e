import { apiRoute } from "@/lib/http/api-route";
import { listInstances } from "@/lib/instances/get-instance";

export const GET = apiRoute("instance:read", async ({ actor }) => Response.json({ instances: await listInstances({ actor }) }));
