import { describe, expect, it } from "vitest";
import { histogramQuantile, parsePrometheusText, readPlatformScrape, sampleBetween } from "@/lib/monitoring/parse-prometheus";
import { breachedMetrics, type MetricValues } from "@/lib/monitoring/thresholds";

const text = (ok: number, errors: number, buckets: number[], extra = "") => `# HELP http_requests_total x
# TYPE http_requests_total counter
http_requests_total{status="200"} ${ok}
http_requests_total{status="503"} ${errors}
http_request_duration_seconds_bucket{le="0.1"} ${buckets[0]}
http_request_duration_seconds_bucket{le="0.5"} ${buckets[1]}
http_request_duration_seconds_bucket{le="1"} ${buckets[2]}
http_request_duration_seconds_bucket{le="+Inf"} ${buckets[3]}
process_cpu_percent 12.5
process_memory_percent 3.25
webwaka_job_queue_depth 7
${extra}`;

describe("the Prometheus text parser", () => {
  it("reads names, escaped labels, special values and skips comments", () => {
    const s = parsePrometheusText('# HELP a b\nm{a="x\\"y",b="2"} 3\nn +Inf\nbad line here\no 1.5e3 1700000000000\n');
    expect(s).toEqual([
      { name: "m", labels: { a: 'x"y', b: "2" }, value: 3 },
      { name: "n", labels: {}, value: Infinity },
      { name: "o", labels: {}, value: 1500 },
    ]);
  });

  it("turns two scrapes into an error rate and a p95 of the requests in between", () => {
    const a = readPlatformScrape(text(100, 0, [90, 100, 100, 100]), new Date(0));
    const b = readPlatformScrape(text(190, 10, [170, 190, 200, 200]), new Date(60_000));
    const s = sampleBetween(a, b);
    expect(s.requests).toBe(100);
    expect(s.errorRate).toBeCloseTo(0.1);
    // 100 new requests: 80 ≤ 0.1 s, 10 in (0.1, 0.5], 10 in (0.5, 1]; the 95th is halfway into the last bucket.
    expect(s.p95Ms).toBeCloseTo(750);
    expect(s).toMatchObject({ cpuPercent: 12.5, memoryPercent: 3.25, queueDepth: 7 });
  });

  it("gives the same sample from a scrape that was stored as JSON (the +Inf bucket survives)", () => {
    const a = readPlatformScrape(text(100, 0, [90, 100, 100, 100]), new Date(0));
    const b = readPlatformScrape(text(190, 10, [170, 190, 200, 200]), new Date(60_000));
    const stored = JSON.parse(JSON.stringify(a)) as typeof a;
    expect(sampleBetween(stored, b)).toEqual(sampleBetween(a, b));
  });

  it("treats a counter that went down as a restart", () => {
    const a = readPlatformScrape(text(1000, 0, [1000, 1000, 1000, 1000]), new Date(0));
    const b = readPlatformScrape(text(8, 2, [10, 10, 10, 10]), new Date(1));
    expect(sampleBetween(a, b)).toMatchObject({ requests: 10, errorRate: 0.2 });
  });

  it("answers 0 for an empty histogram and the lower bound for the open top bucket", () => {
    expect(histogramQuantile(0.95, [[0.1, 0], [Infinity, 0]])).toBe(0);
    expect(histogramQuantile(0.95, [[0.1, 0], [Infinity, 10]])).toBe(0.1);
  });
});

describe("the breach rule", () => {
  const ok: MetricValues = { errorRate: 0, p95Ms: 10, cpuPercent: 5, memoryPercent: 5, queueDepth: 0 };
  const bad = { ...ok, errorRate: 0.2 };
  it.each([
    ["one bad sample is a flap", [ok, ok, bad], []],
    ["three bad in a row breach", [ok, bad, bad, bad], ["errorRate"]],
    ["a good sample last clears it", [bad, bad, bad, ok], []],
    ["too few samples never breach", [bad, bad], []],
    ["several metrics at once", [{ ...bad, queueDepth: 150 }, { ...bad, queueDepth: 101 }, { ...bad, queueDepth: 500 }], ["errorRate", "queueDepth"]],
  ] as const)("%s", (_, samples, expected) => {
    expect(breachedMetrics([...samples], 3)).toEqual(expected);
  });
});
