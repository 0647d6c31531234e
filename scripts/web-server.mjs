// The console's web server: Next's own request handler (its programmatic API) behind a plain
// node:http server. It exists for one reason. Next fills X-Forwarded-For from the socket only when
// a request lacks it, so a route handler cannot tell a forged header from a real one; here the
// socket is still at hand, so the peer's address is written into a private header, overwriting
// any copy the client sent. lib/http/client-ip.ts reads it. Plain JavaScript: node runs it as is.
// Usage: node scripts/web-server.mjs --port 3000 --hostname 127.0.0.1
import http from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import next from "next";

// Keep in step with CLIENT_IP_HEADER in lib/http/client-ip.ts.
const CLIENT_IP_HEADER = "x-webwaka-client-ip";

const { values } = parseArgs({ options: { port: { type: "string", default: "3000" }, hostname: { type: "string", default: "127.0.0.1" } } });
const port = Number(values.port);
const hostname = values.hostname;
const dir = path.resolve(import.meta.dirname, "..");

/** The socket's peer, with IPv4-mapped IPv6 written as plain IPv4. */
function peerAddress(socket) {
  const a = socket.remoteAddress ?? "";
  return a.startsWith("::ffff:") && a.includes(".") ? a.slice(7) : a;
}

const app = next({ dev: false, dir, hostname, port });
await app.prepare();
const handle = app.getRequestHandler();

const server = http.createServer((req, res) => {
  req.headers[CLIENT_IP_HEADER] = peerAddress(req.socket);
  handle(req, res).catch((e) => {
    console.error("[web] request failed", e);
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  });
});

// A deep accept queue: after a restart or a network blip every open browser reconnects its streams
// at once, and with Node's default of 511 the overflow is dropped and each client retries its
// connection only after 1 s, 3 s, 7 s… (the kernel caps this at net.core.somaxconn).
const BACKLOG = 4096;
server.listen({ port, host: hostname, backlog: BACKLOG }, () => console.log(`[web] Listening on http://${hostname}:${port}`));

let closing = false;
function stop() {
  if (closing) return;
  closing = true;
  // Open streams (SSE) would hold close() forever; they end with the process.
  setTimeout(() => process.exit(0), 5_000).unref();
  server.close(() => void app.close().finally(() => process.exit(0)));
  server.closeIdleConnections();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
