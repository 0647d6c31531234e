import { getDb } from "@/lib/db";
import { APP_VERSION } from "@/lib/env";
import { logError } from "@/lib/log";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const started = Date.now();
  try {
    await getDb().$queryRaw`SELECT 1`;
    return Response.json({ status: "healthy", version: APP_VERSION, checks: { database: { status: "ok", latencyMs: Date.now() - started } } });
  } catch (e) {
    logError("health check: database unreachable", e);
    return Response.json({ status: "unhealthy", version: APP_VERSION, checks: { database: { status: "unreachable" } } }, { status: 503 });
  }
}
