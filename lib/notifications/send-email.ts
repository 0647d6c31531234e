import "server-only";
import nodemailer from "nodemailer";
import { getEnv } from "@/lib/env";
import { messageText } from "@/lib/notifications/format-message";
import { SendError } from "@/lib/notifications/send-error";
import type { Delivery } from "@/lib/notifications/delivery";

/** Email through the SMTP server of `SMTP_URL`. */
export async function sendEmail(d: Delivery): Promise<void> {
  const env = getEnv();
  if (!env.SMTP_URL) throw new SendError("Email is not configured: set SMTP_URL (and SMTP_FROM) for the workers.");
  const ms = env.NOTIFY_SEND_TIMEOUT_SECONDS * 1000;
  const transport = nodemailer.createTransport({ url: env.SMTP_URL, connectionTimeout: ms, greetingTimeout: ms, socketTimeout: ms });
  try {
    await transport.sendMail({
      from: env.SMTP_FROM,
      to: d.target,
      subject: `[WebWaka] ${d.payload.title}`,
      text: messageText(d.payload),
      headers: { "X-WebWaka-Event": d.event, "X-WebWaka-Delivery": d.id },
    });
  } catch (e) {
    const err = e as { code?: string; responseCode?: number; message?: string };
    // 5xx SMTP answers to the message itself (a refused recipient) do not improve on a retry.
    const permanent = typeof err.responseCode === "number" && err.responseCode >= 550 && err.responseCode < 560;
    throw new SendError(`SMTP: ${err.code ? `${err.code} ` : ""}${err.message ?? String(e)}`, permanent);
  } finally {
    transport.close();
  }
}
