import { APP_VERSION } from "@/lib/env";

export function GET(): Response {
  return Response.json({ name: "webwaka-upgrade-console", version: APP_VERSION });
}
