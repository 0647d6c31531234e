import { randomBytes } from "node:crypto";

// Structured one-line logs. Error details go to the server log under an id the client can quote;
// the client never sees them.
export function logError(message: string, error: unknown, extra?: Record<string, unknown>): string {
  const id = randomBytes(6).toString("hex");
  const err = error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { value: String(error) };
  console.error(JSON.stringify({ level: "error", time: new Date().toISOString(), id, message, error: err, ...extra }));
  return id;
}

export function logInfo(message: string, extra?: Record<string, unknown>): void {
  console.log(JSON.stringify({ level: "info", time: new Date().toISOString(), message, ...extra }));
}
