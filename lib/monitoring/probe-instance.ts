import "server-only";

/**
 * Light synthetic traffic: `count` anonymous GET /api/version requests, the cheapest call that
 * goes through the platform's /api/* handling (and its faults). Their outcomes are not read here:
 * the platform counts them in its own request counters, next to real traffic, and the next
 * scrape sees them. An idle instance thus still shows an error rate; a busy one is dominated by
 * its real users.
 */
export async function probeInstance(baseUrl: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await fetch(new URL("/api/version", baseUrl), { signal: AbortSignal.timeout(5_000), redirect: "manual" }).catch(() => null);
    await res?.arrayBuffer().catch(() => undefined);
  }
}
