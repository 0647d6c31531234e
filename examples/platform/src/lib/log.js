// One JSON object a line on stdout/stderr, so the console can show and grep the tail of a log.
import { release } from "./release.js";

const instanceId = process.env.INSTANCE_ID || null;

export function createLogger(component) {
  const write = (level, msg, extra) => {
    const line = JSON.stringify({ time: new Date().toISOString(), level, component, instance: instanceId, version: release.version, msg, ...extra });
    (level === "error" ? process.stderr : process.stdout).write(line + "\n");
  };
  return {
    info: (msg, extra) => write("info", msg, extra),
    warn: (msg, extra) => write("warn", msg, extra),
    error: (msg, extra) => write("error", msg, extra),
  };
}
