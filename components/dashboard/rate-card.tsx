import type { DayRates } from "@/lib/alerts/get-fleet-overview";

const pct = (v: number | null) => (v === null ? "—" : `${Math.round(v * 1000) / 10}%`);

/** Per-day values as a small inline SVG; days without finished upgrades leave a gap. */
function Sparkline({ label, points, limit }: { label: string; points: (number | null)[]; limit: number }) {
  const W = 140;
  const H = 32;
  const x = (i: number) => (points.length <= 1 ? W / 2 : (i * W) / (points.length - 1));
  const y = (v: number) => H - 2 - v * (H - 4);
  const segments: string[][] = [[]];
  points.forEach((v, i) => (v === null ? segments.push([]) : segments.at(-1)?.push(`${x(i)},${y(v)}`)));
  const known = points.filter((v): v is number => v !== null);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="h-8 w-36" role="img" aria-label={`${label} per day, last ${points.length} days: ${known.length ? known.map(pct).join(", ") : "no finished upgrades"}`}>
      <line x1={0} x2={W} y1={y(limit)} y2={y(limit)} stroke="#dc2626" strokeDasharray="3 3" strokeWidth={1} />
      {segments.filter((s) => s.length > 1).map((s, i) => (
        <polyline key={i} fill="none" stroke="#2563eb" strokeWidth={1.5} points={s.join(" ")} />
      ))}
      {points.map((v, i) => (v === null ? null : <circle key={i} cx={x(i)} cy={y(v)} r={1.5} fill="#2563eb" />))}
    </svg>
  );
}

/** A fleet rate over the period, the previous period's for the trend, and a per-day sparkline. */
export function RateCard({ label, rate, value, previous, days, limit, detail }: { label: string; rate: "successRate" | "rollbackRate"; value: number | null; previous: number | null; days: DayRates[]; limit: number; detail: string }) {
  const higherIsBetter = rate === "successRate";
  const delta = value !== null && previous !== null ? value - previous : null;
  const better = delta === null || delta === 0 ? null : higherIsBetter ? delta > 0 : delta < 0;
  const breach = value !== null && (higherIsBetter ? value < limit : value > limit);
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid={`rate-${label.toLowerCase().replace(/\s+/g, "-")}`}>
      <p className="text-sm text-slate-600">{label}</p>
      <p className={`mt-1 text-3xl font-semibold ${breach ? "text-red-700" : "text-slate-900"}`}>{pct(value)}</p>
      <p className="mt-1 text-xs text-slate-600">
        {detail} · previous period {pct(previous)}
        {delta !== null && delta !== 0 ? (
          <span className={better ? "text-emerald-700" : "text-red-700"}>
            {" "}
            ({delta > 0 ? "▲" : "▼"} {pct(Math.abs(delta))})
          </span>
        ) : null}
      </p>
      <div className="mt-2">
        <Sparkline label={label} points={days.map((d) => d[rate])} limit={limit} />
      </div>
    </div>
  );
}
