import { apiRoute, parseQuery } from "@/lib/http/api-route";
import { listInstancePage, listInstances } from "@/lib/instances/get-instance";
import { asksForPage } from "@/lib/pagination";
import { pageQuerySchema } from "@/lib/page-query";

// Without `q`, `page` or `pageSize`: every instance, as scripts have always read it.
export const GET = apiRoute("instance:read", async ({ req, actor }) => {
  const query = parseQuery(req, pageQuerySchema);
  return Response.json(asksForPage(query) ? await listInstancePage({ actor, query }) : { instances: await listInstances({ actor }) });
});
