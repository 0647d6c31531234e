// Many streams of one run, over real HTTP from the suite's server: each gets exactly the events
// after its own Last-Event-ID, in order, without a gap or a repeat, while the server reads the run
// once per notification for all of them (its /metrics counts the reads). Stakeholder streams of
// one instance link share one view and all see its changes.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, BASE_URL, TOKENS } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { waitUntil } from "@/test/support/wait";

let runId = "";
let instanceId = "";

beforeAll(async () => {
  const inst = await testDb().instance.create({ data: { name: `fanout-${randomBytes(4).toString("hex")}`, url: "http://127.0.0.1:4994", version: "1.0.0" } });
  instanceId = inst.id;
  runId = (await testDb().upgradeRun.create({ data: { instanceId, fromVersion: "1.0.0", toVersion: "1.1.0", status: "running", trigger: "manual" } })).id;
});

afterAll(async () => {
  await testDb().instance.delete({ where: { id: instanceId } });
});

type Stream = { ids: () => bigint[]; text: () => string; close: () => void };

/** Opens a stream and reads it in the background; resolves once it is live (its retry hint). */
async function open(path: string, headers: Record<string, string>): Promise<Stream> {
  const ctrl = new AbortController();
  const res = await fetch(`${BASE_URL}${path}`, { headers, signal: ctrl.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  let text = "";
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    } catch {
      // closed by the test
    }
  })();
  await waitUntil("the stream to be live", async () => text.includes("retry:"), 10_000, 25);
  return { ids: () => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => BigInt(m[1]!)), text: () => text, close: () => ctrl.abort() };
}

async function emit(n: number, type: "log" | "run_status" = "log"): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const id = await testDb().$transaction(async (tx) => {
      const row = await tx.runEvent.create({ data: { runId, type, level: "info", message: `fan-out ${i}` }, select: { id: true } });
      await tx.$executeRaw`SELECT pg_notify('run_events', ${runId})`;
      return row.id;
    });
    ids.push(id);
  }
  return ids;
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${BASE_URL}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+(?:\\.\\d+)?)$`, "m").exec(text);
  expect(m, `${name} in /metrics`).not.toBeNull();
  return Number(m![1]);
}

describe("many streams of one run", () => {
  it("each gets exactly its events in order, from one read per notification", async () => {
    const first = await emit(8);
    const cursors = [undefined, first[1]!, first[4]!, first[7]!];
    const tokens = [TOKENS.viewer, TOKENS.approver, TOKENS.superadmin];
    const streams = await Promise.all(
      Array.from({ length: 24 }, (_, i) => {
        const cursor = cursors[i % cursors.length];
        const headers: Record<string, string> = { authorization: `Bearer ${tokens[i % tokens.length]}`, ...(cursor === undefined ? {} : { "last-event-id": cursor.toString() }) };
        return open(`/api/superadmin/upgrades/${runId}/events`, headers).then((s) => ({ s, from: cursor ?? 0n }));
      }),
    );
    try {
      const readsBefore = await metric("webwaka_console_run_feed_reads_total");
      const more: bigint[] = [];
      for (let i = 0; i < 6; i++) {
        more.push(...(await emit(1)));
        await new Promise((r) => setTimeout(r, 200));
      }
      // A stream that reconnects in the middle, with where it had got to, catches up and goes on.
      const late = await open(`/api/superadmin/upgrades/${runId}/events`, { authorization: `Bearer ${TOKENS.viewer}`, "last-event-id": more[2]!.toString() });
      more.push(...(await emit(2)));
      const all = [...first, ...more];
      const everyone = [...streams, { s: late, from: more[2]! }];
      await waitUntil("every stream to have its events", async () => everyone.every(({ s, from }) => s.ids().length >= all.filter((id) => id > from).length), 20_000, 100).catch(() => undefined);
      for (const { s, from } of everyone) expect(s.ids(), `stream from ${from}`).toEqual(all.filter((id) => id > from));
      // 8 notifications and the late stream's catch-up; a read per stream would be about 200.
      expect((await metric("webwaka_console_run_feed_reads_total")) - readsBefore).toBeLessThanOrEqual(8 + 3);
      late.close();
    } finally {
      for (const { s } of streams) s.close();
    }
  });
});

describe("stakeholder streams of one instance link", () => {
  it("share one view, and every one of them sees a change, also one that joined later", async () => {
    const res = await api("superadmin", "POST", `/api/superadmin/instances/${instanceId}/status-page`);
    expect(res.status, res.text).toBe(201);
    const url = (res.json as { statusPage: { url: string } }).statusPage.url;
    const streams = await Promise.all(Array.from({ length: 8 }, () => open(`${url}/events`, {})));
    const changes = (s: Stream) => (s.text().match(/^event: change$/gm) ?? []).length;
    try {
      await testDb().upgradeRun.update({ where: { id: runId }, data: { status: "succeeded", finishedAt: new Date() } });
      await emit(1, "run_status");
      await waitUntil("a change on every stream", async () => streams.every((s) => changes(s) >= 1), 15_000, 100);
      const late = await open(`${url}/events`, {});
      streams.push(late);
      await testDb().upgradeRun.update({ where: { id: runId }, data: { status: "rolled_back" } });
      await emit(1, "run_status");
      await waitUntil("a second change on every stream", async () => streams.slice(0, -1).every((s) => changes(s) >= 2) && changes(late) >= 1, 15_000, 100);
    } finally {
      for (const s of streams) s.close();
    }
  });
});
