"use client";
import { useQuery } from "@tanstack/react-query";
import type { RunMetrics } from "@/lib/monitoring/get-run-metrics";
import { THRESHOLDS, type MetricKey } from "@/lib/monitoring/thresholds";
import { Alert, Card } from "@/components/ui/card";
import { Time } from "@/components/ui/time";

async function fetchMetrics(runId: string): Promise<RunMetrics> {
  const res = await fetch(`/api/superadmin/upgrades/${runId}/metrics`, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`The monitoring samples could not be loaded (HTTP ${res.status}).`);
  return (await res.json()) as RunMetrics;
}

const W = 320;
const H = 96;
const PAD = 4;

/** One metric against its threshold line: an inline SVG with a title and the latest value in text. */
function MetricChart({ metric, samples }: { metric: MetricKey; samples: RunMetrics["samples"] }) {
  const t = THRESHOLDS[metric];
  const values = samples.map((s) => s[metric]);
  const latest = values.at(-1);
  const top = Math.max(t.limit * 1.5, ...values) || 1;
  const x = (i: number) => PAD + (values.length <= 1 ? (W - 2 * PAD) / 2 : (i * (W - 2 * PAD)) / (values.length - 1));
  const y = (v: number) => H - PAD - (v / top) * (H - 2 * PAD);
  const over = latest !== undefined && latest > t.limit;
  const titleId = `chart-${metric}`;
  return (
    <figure className="rounded-md border border-slate-200 p-3" data-testid={`metric-${metric}`}>
      <figcaption className="flex items-baseline justify-between gap-2 text-sm">
        <span className="font-medium text-slate-900">{t.label}</span>
        <span className={over ? "font-semibold text-red-700" : "text-slate-700"}>
          {latest === undefined ? "no samples" : `now ${t.format(latest)}`} · limit {t.format(t.limit)}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} className="mt-2 h-24 w-full" role="img" aria-labelledby={titleId} preserveAspectRatio="none">
        <title id={titleId}>{`${t.label}: ${values.length} samples, latest ${latest === undefined ? "none" : t.format(latest)}, threshold ${t.format(t.limit)}`}</title>
        <line x1={PAD} x2={W - PAD} y1={y(t.limit)} y2={y(t.limit)} stroke="#dc2626" strokeDasharray="4 3" strokeWidth={1} />
        {values.length > 0 ? <polyline fill="none" stroke={over ? "#b91c1c" : "#2563eb"} strokeWidth={2} points={values.map((v, i) => `${x(i)},${y(v)}`).join(" ")} vectorEffect="non-scaling-stroke" /> : null}
        {values.map((v, i) => (v > t.limit ? <circle key={i} cx={x(i)} cy={y(v)} r={2.5} fill="#b91c1c" /> : null))}
      </svg>
    </figure>
  );
}

/** The run's post-upgrade monitoring: a chart per runbook metric, polled while the window is open. */
export function MonitoringCharts({ runId, live }: { runId: string; live: boolean }) {
  const q = useQuery({ queryKey: ["upgrade-metrics", runId], queryFn: () => fetchMetrics(runId), refetchInterval: live ? 5_000 : false });
  return (
    <Card title="Post-upgrade monitoring" actions={q.data ? <span className="text-xs text-slate-500">a sample every {q.data.sampleSeconds} s · a breach is {q.data.breachSamples} in a row over the limit</span> : null}>
      {q.isPending ? (
        <p className="text-sm text-slate-600" role="status">Loading the samples…</p>
      ) : q.isError ? (
        <Alert>{q.error.message}</Alert>
      ) : (
        <div className="space-y-3">
          {q.data.alerts.map((a) => (
            <Alert key={a.id} tone={a.status === "open" ? "error" : "info"}>
              {a.message} (<Time value={a.openedAt} />, {a.status})
            </Alert>
          ))}
          {q.data.samples.length === 0 ? (
            <p className="text-sm text-slate-600">{live ? "No samples yet: the first arrives one interval after the window opens." : "No samples were taken for this run."}</p>
          ) : null}
          <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3">
            {q.data.thresholds.map((t) => (
              <MetricChart key={t.metric} metric={t.metric} samples={q.data.samples} />
            ))}
          </div>
        </div>
      )}
    </Card>
  );
}
