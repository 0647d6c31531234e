// Small helpers for a framework-less node:http server.
import { timingSafeEqual } from "node:crypto";

export class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers });
  res.end(text);
}

export function sendText(res, status, contentType, text, headers = {}) {
  res.writeHead(status, { "content-type": contentType, ...headers });
  res.end(text);
}

const MAX_BODY = 64 * 1024;

/** The request's JSON body (an object), or an HttpError 400/413. An empty body reads as {}. */
export async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, "payload_too_large", "The body is larger than 64 KiB.");
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (!text) return {};
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_json", "The body is not valid JSON.");
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new HttpError(400, "invalid_body", "The body must be a JSON object.");
  return body;
}

/** Whether the request carries `Authorization: Bearer <token>`, compared in constant time. */
export function hasBearer(req, token) {
  if (!token) return false;
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
  if (!m) return false;
  const a = Buffer.from(m[1].trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

export function htmlPage(title, bodyHtml) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937}h1{font-size:1.5rem}.muted{color:#6b7280}</style>
</head><body>${bodyHtml}</body></html>
`;
}

export function maintenancePage(message, version) {
  return htmlPage(
    "Maintenance - WebWaka",
    `<h1>We'll be right back</h1>
<p id="maintenance-message">${escapeHtml(message || "The platform is undergoing scheduled maintenance.")}</p>
<p class="muted">WebWaka platform ${escapeHtml(version)}</p>`,
  );
}

export { escapeHtml };
