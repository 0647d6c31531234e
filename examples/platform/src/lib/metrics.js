// Prometheus text exposition, by hand: a request counter by status, a latency histogram, and
// process gauges. The console's post-upgrade monitor samples exactly these series.
import os from "node:os";

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const byStatus = new Map();
const bucketCounts = new Array(BUCKETS.length).fill(0);
let durationSum = 0;
let durationCount = 0;

export function observeRequest(status, seconds) {
  const key = String(status);
  byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
  for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) bucketCounts[i] += 1;
  durationSum += seconds;
  durationCount += 1;
}

// CPU share since the previous scrape (or since start), as top shows it: 100 = one full core.
let lastCpu = process.cpuUsage();
let lastWall = process.hrtime.bigint();
function cpuPercent() {
  const cpu = process.cpuUsage(lastCpu);
  const now = process.hrtime.bigint();
  const wallMicros = Number(now - lastWall) / 1000;
  lastCpu = process.cpuUsage();
  lastWall = now;
  return wallMicros > 0 ? ((cpu.user + cpu.system) / wallMicros) * 100 : 0;
}

const esc = (v) => String(v).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const num = (n) => (Number.isFinite(n) ? String(Math.round(n * 1e6) / 1e6) : "NaN");

/** @param {{version: string, instance: string | null, queueDepth: number | null}} info */
export function renderMetrics(info) {
  const out = [];
  out.push("# HELP webwaka_platform_info The running release.", "# TYPE webwaka_platform_info gauge");
  out.push(`webwaka_platform_info{version="${esc(info.version)}",instance="${esc(info.instance ?? "")}"} 1`);

  out.push("# HELP http_requests_total HTTP requests answered, by status code.", "# TYPE http_requests_total counter");
  for (const [status, n] of [...byStatus].sort()) out.push(`http_requests_total{status="${status}"} ${n}`);

  out.push("# HELP http_request_duration_seconds Time to answer an HTTP request.", "# TYPE http_request_duration_seconds histogram");
  BUCKETS.forEach((le, i) => out.push(`http_request_duration_seconds_bucket{le="${le}"} ${bucketCounts[i]}`));
  out.push(`http_request_duration_seconds_bucket{le="+Inf"} ${durationCount}`);
  out.push(`http_request_duration_seconds_sum ${num(durationSum)}`, `http_request_duration_seconds_count ${durationCount}`);

  out.push("# HELP process_cpu_percent CPU used since the previous scrape, percent of one core.", "# TYPE process_cpu_percent gauge");
  out.push(`process_cpu_percent ${num(cpuPercent())}`);
  out.push("# HELP process_memory_percent Resident memory, percent of the system's total memory.", "# TYPE process_memory_percent gauge");
  out.push(`process_memory_percent ${num((process.memoryUsage.rss() / os.totalmem()) * 100)}`);

  out.push("# HELP webwaka_job_queue_depth Jobs waiting to be claimed (-1: database unreachable).", "# TYPE webwaka_job_queue_depth gauge");
  out.push(`webwaka_job_queue_depth ${info.queueDepth ?? -1}`);
  return out.join("\n") + "\n";
}
