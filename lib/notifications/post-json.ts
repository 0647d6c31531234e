import "server-only";
import { STATUS_CODES } from "node:http";
import { getEnv } from "@/lib/env";
import { describeNetworkError, SendError } from "@/lib/notifications/send-error";

// Statuses that will not change on a retry: the receiver refused this message or this address.
const PERMANENT = new Set([400, 401, 403, 404, 405, 410, 413, 422]);

/** POSTs a JSON body with a timeout; any non-2xx answer is a SendError naming its status only. */
export async function postJson(url: string, body: string, headers: Record<string, string> = {}): Promise<void> {
  const seconds = getEnv().NOTIFY_SEND_TIMEOUT_SECONDS;
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "WebWaka-Upgrade-Console", ...headers },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(seconds * 1000),
    });
  } catch (e) {
    throw new SendError(describeNetworkError(e, seconds));
  }
  // The answer's body is never read: it is not needed, and it may be large.
  await res.body?.cancel().catch(() => undefined);
  if (res.status >= 200 && res.status < 300) return;
  throw new SendError(statusLine(res.status), PERMANENT.has(res.status));
}

/**
 * "HTTP 500 Internal Server Error": the status with its standard reason, never the receiver's own
 * words (its body or reason phrase). A channel aimed at an internal address would otherwise show
 * what that address answers to everyone who can read the notifications.
 */
export function statusLine(status: number): string {
  const reason = STATUS_CODES[status];
  return `HTTP ${status}${reason ? ` ${reason}` : ""}`;
}
