// The faulty test builds' misbehaviour, in one place, so a reader sees exactly what is faked.
import { release } from "./release.js";

// The ramp starts when the app starts listening (startErrorRamp), not when the module loads.
let startedAt = Date.now();
export function startErrorRamp() {
  startedAt = Date.now();
}

/** 1.1.1-fault.unhealthy: the health check never passes, everything else works. */
export const neverHealthy = release.fault === "unhealthy";

// 1.1.1-fault.errors: the share of /api/* requests that fail rises linearly from 0 at start to
// 1 after FAULT_ERROR_RAMP_SECONDS (env, else the config value, else 20), after an optional
// FAULT_ERROR_DELAY_SECONDS at 0. An accumulator, not a dice roll, so the share is exact.
let rampSeconds = 20;
let delaySeconds = 0;
let owed = 0;

export function configureErrorRamp(values) {
  const pick = (key, fallback) => {
    const v = Number(process.env[key] ?? values?.[key] ?? fallback);
    return Number.isFinite(v) && v >= 0 ? v : fallback;
  };
  rampSeconds = pick("FAULT_ERROR_RAMP_SECONDS", 20);
  delaySeconds = pick("FAULT_ERROR_DELAY_SECONDS", 0);
}

export function errorShare(now = Date.now()) {
  if (release.fault !== "errors") return 0;
  const t = (now - startedAt) / 1000 - delaySeconds;
  if (t <= 0) return 0;
  return rampSeconds === 0 ? 1 : Math.min(1, t / rampSeconds);
}

/** Whether this /api/* request should fail. */
export function shouldFail() {
  const share = errorShare();
  if (share === 0) return false;
  owed += share;
  if (owed >= 1) {
    owed -= 1;
    return true;
  }
  return false;
}

/**
 * A slow stop, in any build: with SLOW_STOP_SECONDS in the config, the app lingers that long after
 * SIGTERM before it closes, as one finishing long requests would. The console's fencing tests use
 * it to hold a stopping worker inside `deploy`.
 */
export function slowStopMs(values) {
  const v = Number(values?.SLOW_STOP_SECONDS ?? 0);
  return Number.isFinite(v) && v > 0 ? Math.min(v, 60) * 1000 : 0;
}
