import { errorResponse } from "@/lib/http/api-route";

// Unknown API paths answer in the API's error shape, not with an HTML page.
function notFound(req: Request): Response {
  return errorResponse("not_found", `No API route ${req.method} ${new URL(req.url).pathname}.`, 404);
}

export { notFound as GET, notFound as POST, notFound as PATCH, notFound as PUT, notFound as DELETE };
