// Prometheus text exposition (version 0.0.4), read into series. Only what the sampler needs:
// names, labels and values; HELP/TYPE lines and timestamps are skipped.
export type Series = { name: string; labels: Record<string, string>; value: number };

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?\s*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/g;

function parseValue(raw: string): number {
  if (raw === "+Inf") return Infinity;
  if (raw === "-Inf") return -Infinity;
  return Number(raw);
}

function unescape(v: string): string {
  return v.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
}

export function parsePrometheusText(text: string): Series[] {
  const out: Series[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(LABEL)) labels[l[1] ?? ""] = unescape(l[2] ?? "");
    out.push({ name: m[1] ?? "", labels, value: parseValue(m[3] ?? "NaN") });
  }
  return out;
}

/**
 * One scrape of a platform's /metrics, reduced to what monitoring needs. Counters stay raw
 * (they only mean something as a difference between two scrapes); gauges are read as they are.
 */
export type PlatformScrape = {
  at: string;
  requests: number;
  errors: number;
  /**
   * Cumulative histogram buckets of request durations: upper bound in seconds (as the label
   * says it, "+Inf" included) → count. Strings, because the scrape is stored as JSON, which has
   * no Infinity.
   */
  buckets: [string, number][];
  cpuPercent: number;
  memoryPercent: number;
  queueDepth: number;
};

export function readPlatformScrape(text: string, at: Date): PlatformScrape {
  const series = parsePrometheusText(text);
  let requests = 0;
  let errors = 0;
  const buckets: [string, number][] = [];
  const gauge = (name: string) => series.find((s) => s.name === name)?.value ?? 0;
  for (const s of series) {
    if (s.name === "http_requests_total") {
      requests += s.value;
      if ((s.labels.status ?? "").startsWith("5")) errors += s.value;
    } else if (s.name === "http_request_duration_seconds_bucket" && s.labels.le !== undefined) {
      buckets.push([s.labels.le, s.value]);
    }
  }
  buckets.sort((a, b) => parseValue(a[0]) - parseValue(b[0]));
  return { at: at.toISOString(), requests, errors, buckets, cpuPercent: gauge("process_cpu_percent"), memoryPercent: gauge("process_memory_percent"), queueDepth: Math.max(0, gauge("webwaka_job_queue_depth")) };
}

/** A counter's increase; a counter that went down was reset (the process restarted). */
function increase(prev: number, cur: number): number {
  return cur >= prev ? cur - prev : cur;
}

/** The q-quantile of a cumulative histogram, interpolated inside its bucket as histogram_quantile does. */
export function histogramQuantile(q: number, buckets: [number, number][]): number {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return 0;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const [bound, count] of buckets) {
    if (count >= rank) {
      // The top bucket is open-ended: answer its lower bound, as Prometheus does.
      if (!Number.isFinite(bound)) return prevBound;
      return prevBound + (bound - prevBound) * ((rank - prevCount) / Math.max(count - prevCount, 1e-12));
    }
    prevBound = bound;
    prevCount = count;
  }
  return prevBound;
}

/**
 * The sample between two scrapes: the error rate and p95 of the requests answered in between
 * (all of them, real traffic and probes alike), and the gauges of the later scrape.
 */
export function sampleBetween(prev: PlatformScrape, cur: PlatformScrape) {
  const reset = cur.requests < prev.requests;
  const requests = increase(prev.requests, cur.requests);
  const errors = reset ? cur.errors : increase(prev.errors, cur.errors);
  const prevBuckets = new Map(prev.buckets);
  const delta = cur.buckets.map(([le, n]): [number, number] => [parseValue(le), reset ? n : increase(prevBuckets.get(le) ?? 0, n)]);
  return {
    requests,
    errorRate: requests > 0 ? errors / requests : 0,
    p95Ms: histogramQuantile(0.95, delta) * 1000,
    cpuPercent: cur.cpuPercent,
    memoryPercent: cur.memoryPercent,
    queueDepth: Math.round(cur.queueDepth),
  };
}
