// Runbook step 11's key metrics and their limits, as one table. The sampler, the breach rule,
// the alerts and the run page's charts all read it. (No server-only: the charts use it too.)
export const METRICS = ["errorRate", "p95Ms", "cpuPercent", "memoryPercent", "queueDepth"] as const;
export type MetricKey = (typeof METRICS)[number];

export type Threshold = {
  metric: MetricKey;
  label: string;
  /** A sample breaches when its value is above this. */
  limit: number;
  unit: string;
  /** The value as people read it (error rate is stored as a fraction). */
  format: (v: number) => string;
};

const round = (v: number, digits: number) => (Math.round(v * 10 ** digits) / 10 ** digits).toString();

export const THRESHOLDS: Record<MetricKey, Threshold> = {
  errorRate: { metric: "errorRate", label: "Error rate", limit: 0.01, unit: "%", format: (v) => `${round(v * 100, 2)}%` },
  p95Ms: { metric: "p95Ms", label: "Response time (p95)", limit: 500, unit: "ms", format: (v) => `${round(v, 1)} ms` },
  cpuPercent: { metric: "cpuPercent", label: "CPU", limit: 70, unit: "%", format: (v) => `${round(v, 1)}%` },
  memoryPercent: { metric: "memoryPercent", label: "Memory", limit: 80, unit: "%", format: (v) => `${round(v, 1)}%` },
  queueDepth: { metric: "queueDepth", label: "Job queue depth", limit: 100, unit: "jobs", format: (v) => `${Math.round(v)} jobs` },
};

export type MetricValues = Record<MetricKey, number>;

/**
 * The metrics over their limit in each of the last `consecutive` samples (oldest first). One bad
 * sample is a flap, not a breach.
 */
export function breachedMetrics(samples: MetricValues[], consecutive: number): MetricKey[] {
  if (samples.length < consecutive) return [];
  const window = samples.slice(-consecutive);
  return METRICS.filter((m) => window.every((s) => s[m] > THRESHOLDS[m].limit));
}
