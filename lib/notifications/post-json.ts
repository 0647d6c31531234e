import "server-only";
import { getEnv } from "@/lib/env";
import { describeNetworkError, SendError } from "@/lib/notifications/send-error";

// Statuses that will not change on a retry: the receiver refused this message or this address.
const PERMANENT = new Set([400, 401, 403, 404, 405, 410, 413, 422]);

/** POSTs a JSON body with a timeout; any non-2xx answer is a SendError naming its status. */
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
  const text = await res.text().catch(() => "");
  if (res.status >= 200 && res.status < 300) return;
  const excerpt = text.replace(/\s+/g, " ").trim().slice(0, 200);
  throw new SendError(`HTTP ${res.status}${excerpt ? `: ${excerpt}` : ""}`, PERMANENT.has(res.status));
}
