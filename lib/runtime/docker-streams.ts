// Reading what a Docker Engine API sends back: multiplexed log streams and JSON-lines progress.
import type Docker from "dockerode";

/** Splits Docker's multiplexed log stream (8-byte frame headers) into text; a TTY stream is raw. */
export function demultiplex(buf: Buffer): { stdout: string; stderr: string; combined: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const all: Buffer[] = [];
  let pos = 0;
  const framed = buf.length >= 8 && buf[0]! <= 2 && buf[1] === 0 && buf[2] === 0 && buf[3] === 0;
  if (!framed) {
    const text = buf.toString("utf8");
    return { stdout: text, stderr: "", combined: text };
  }
  while (pos + 8 <= buf.length) {
    const kind = buf[pos]!;
    const size = buf.readUInt32BE(pos + 4);
    const chunk = buf.subarray(pos + 8, pos + 8 + size);
    (kind === 2 ? err : out).push(chunk);
    all.push(chunk);
    pos += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), combined: Buffer.concat(all).toString("utf8") };
}

export function tailLines(text: string, n: number): string {
  const lines = text.replace(/\s+$/, "").split("\n");
  return lines.slice(-n).join("\n");
}

export async function readLogs(container: Docker.Container, lines: number): Promise<string> {
  const raw = (await container.logs({ stdout: true, stderr: true, follow: false, tail: lines })) as unknown as Buffer | string;
  return tailLines(demultiplex(Buffer.isBuffer(raw) ? raw : Buffer.from(raw, "utf8")).combined, lines);
}

/** Reads a JSON-lines progress stream to its end. Errors arrive in-band, as events: return them. */
export async function progressEvents(stream: NodeJS.ReadableStream): Promise<Record<string, unknown>[]> {
  const events: Record<string, unknown>[] = [];
  let buf = "";
  const handle = (line: string) => {
    const t = line.trim();
    if (!t) return;
    try {
      events.push(JSON.parse(t) as Record<string, unknown>);
    } catch {
      events.push({ status: t });
    }
  };
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    buf += chunk.toString();
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      handle(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  }
  handle(buf);
  return events;
}

export function eventError(events: Record<string, unknown>[]): string | null {
  for (const e of events) {
    const detail = e.errorDetail as { message?: string } | undefined;
    if (e.error || detail?.message) return String(e.error ?? detail?.message);
  }
  return null;
}
