import { getMetricsRegistry } from "@/lib/metrics/registry";
import { logError } from "@/lib/log";

export const dynamic = "force-dynamic";

// Public like /health/status: counts only, nothing that names a host or a person.
export async function GET(): Promise<Response> {
  try {
    const registry = getMetricsRegistry();
    return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } });
  } catch (e) {
    const id = logError("metrics scrape failed", e);
    return new Response(`# metrics unavailable (error id ${id})\n`, { status: 503, headers: { "content-type": "text/plain" } });
  }
}
