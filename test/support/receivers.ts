import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export type Received = { method: string; path: string; headers: IncomingHttpHeaders; body: string };
/** What the receiver answers; `reason` replaces the status line's standard reason phrase. */
export type Answer = { status: number; body?: string; reason?: string };

/** An HTTP receiver on 127.0.0.1 that records requests and answers what `respond` says (200 by default). */
export async function startHttpReceiver(): Promise<{ url: string; requests: Received[]; respond: (r: Received) => Answer; setRespond: (f: (r: Received) => Answer) => void; close: () => Promise<void> }> {
  const requests: Received[] = [];
  const state = { respond: (_r: Received): Answer => ({ status: 200, body: "ok" }) };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: Received = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(r);
      const out = state.respond(r);
      if (out.reason) res.writeHead(out.status, out.reason, { "content-type": "text/plain" });
      else res.writeHead(out.status, { "content-type": "text/plain" });
      res.end(out.body ?? "");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond: (r) => state.respond(r),
    setRespond: (f) => {
      state.respond = f;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export type Mail = { from: string; to: string[]; raw: string };

/** A local SMTP server on 127.0.0.1 that keeps every message. */
export async function startSmtpReceiver(): Promise<{ url: string; mails: Mail[]; close: () => Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
        done();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A message's text with quoted-printable and Q-encoded header words undone (enough for assertions). */
export function decodeMail(raw: string): string {
  const hex = (s: string) => s.replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  const words = raw.replace(/=\?UTF-8\?Q\?([^?]*)\?=\s*/gi, (_, w: string) => hex(w.replace(/_/g, " ")));
  return Buffer.from(hex(words.replace(/=\r?\n/g, "")), "latin1").toString("utf8");
}

/** Polls until `check` returns a value that is not undefined/false, or throws after the timeout. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
