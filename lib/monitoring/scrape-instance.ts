import "server-only";
import { DriverError } from "@/lib/runtime/types";
import { readPlatformScrape, type PlatformScrape } from "@/lib/monitoring/parse-prometheus";

/** GET {baseUrl}/metrics, reduced to a PlatformScrape. */
export async function scrapeInstance(baseUrl: string): Promise<PlatformScrape> {
  let res: Response;
  try {
    res = await fetch(new URL("/metrics", baseUrl), { signal: AbortSignal.timeout(5_000), redirect: "manual" });
  } catch (e) {
    throw new DriverError("unreachable", `The instance did not answer /metrics: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!res.ok) throw new DriverError("unreachable", `GET /metrics answered ${res.status}`);
  return readPlatformScrape(await res.text(), new Date());
}
