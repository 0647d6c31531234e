// An open SSE stream ends within a few seconds once its credential stops holding: a revoked API
// token, a disabled account, a revoked status link. A stream whose credential holds stays open.
import { beforeAll, describe, expect, it } from "vitest";
import { api, BASE_URL } from "@/test/support/env";
import { testDb } from "@/test/support/db";
import { signInOverHttp } from "@/test/support/session";
import { generateApiToken } from "@/lib/auth/tokens";
import { hashPassword } from "@/lib/auth/password";

let runId = "";

beforeAll(async () => {
  const db = testDb();
  const inst = await db.instance.create({ data: { name: `sse-${Date.now()}`, url: "http://127.0.0.1:4996", version: "1.0.0" } });
  runId = (await db.upgradeRun.create({ data: { instanceId: inst.id, fromVersion: "1.0.0", toVersion: "1.1.0", status: "running", trigger: "manual" } })).id;
});

async function newUser(role: "viewer" | "superadmin" = "viewer") {
  const email = `sse-${role}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.test`;
  const user = await testDb().user.create({ data: { email, name: "Streamer", role, passwordHash: await hashPassword("correct-horse-battery") } });
  const t = generateApiToken();
  const token = await testDb().apiToken.create({ data: { userId: user.id, name: "stream", tokenHash: t.hash, prefix: t.prefix } });
  return { user, email, token: t.token, tokenId: token.id };
}

type Open = { ended: () => Promise<number | null>; text: () => string; close: () => void };

/** Opens a stream and reads it in the background; `ended` says how long after now it closed. */
async function openStream(path: string, headers: Record<string, string>): Promise<Open> {
  const ctrl = new AbortController();
  const res = await fetch(`${BASE_URL}${path}`, { headers, signal: ctrl.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  let text = "";
  let endedAt: number | null = null;
  const reading = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      endedAt = Date.now();
    } catch {
      // aborted by the test
    }
  })();
  const deadlineFor = async (ms: number) => {
    await Promise.race([reading, new Promise((r) => setTimeout(r, ms))]);
  };
  // The stream is live once the retry hint arrived.
  const until = Date.now() + 5000;
  while (!text.includes("retry:") && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  expect(text).toContain("retry:");
  return {
    ended: async () => {
      const from = Date.now();
      await deadlineFor(10_000);
      return endedAt === null ? null : endedAt - from;
    },
    text: () => text,
    close: () => ctrl.abort(),
  };
}

describe("open streams end when their credential no longer holds", () => {
  it("a bearer token that is revoked", async () => {
    const { token, tokenId } = await newUser();
    const stream = await openStream(`/api/superadmin/upgrades/${runId}/events`, { authorization: `Bearer ${token}` });
    try {
      await testDb().apiToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() } });
      const after = await stream.ended();
      expect(after, "the stream was still open 10 s after the token was revoked").not.toBeNull();
      expect(after!).toBeLessThan(8000);
    } finally {
      stream.close();
    }
  });

  it("a bearer token whose user is disabled (the approval queue's snapshot stream)", async () => {
    const { token, user } = await newUser();
    const stream = await openStream("/api/superadmin/approvals/events", { authorization: `Bearer ${token}` });
    try {
      await testDb().user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
      expect(await stream.ended()).not.toBeNull();
    } finally {
      stream.close();
    }
  });

  it("a session whose user is disabled", async () => {
    const { email, user } = await newUser();
    const session = await signInOverHttp(email, "correct-horse-battery");
    expect(session.ok).toBe(true);
    const stream = await openStream(`/api/superadmin/upgrades/${runId}/events`, { cookie: session.cookie });
    try {
      await testDb().user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
      expect(await stream.ended()).not.toBeNull();
    } finally {
      stream.close();
    }
  });

  it("a session that is ended (its person signed out, or changed their password)", async () => {
    const { email, user } = await newUser();
    const session = await signInOverHttp(email, "correct-horse-battery");
    expect(session.ok).toBe(true);
    const stream = await openStream(`/api/superadmin/upgrades/${runId}/events`, { cookie: session.cookie });
    try {
      // What sign-out and a password change do to the user's row (lib/auth/sessions.ts).
      await testDb().user.update({ where: { id: user.id }, data: { sessionVersion: { increment: 1 } } });
      expect(await stream.ended()).not.toBeNull();
    } finally {
      stream.close();
    }
  });

  it.each(["run", "instance"] as const)("a status link (of a %s) that is revoked", async (of) => {
    const run = await testDb().upgradeRun.findUniqueOrThrow({ where: { id: runId } });
    const created = await api("superadmin", "POST", of === "run" ? `/api/superadmin/upgrades/${runId}/status-page` : `/api/superadmin/instances/${run.instanceId}/status-page`);
    const page = (created.json as { statusPage: { id: string; url: string } }).statusPage;
    const stream = await openStream(`${page.url}/events`, {});
    try {
      expect((await api("superadmin", "POST", `/api/superadmin/status-pages/${page.id}/revoke`)).status).toBe(200);
      expect(await stream.ended()).not.toBeNull();
    } finally {
      stream.close();
    }
  });

  it("every stream of a revoked token ends, and they were re-checked together, not each on its own", async () => {
    const { token, tokenId } = await newUser();
    const streams = await Promise.all(Array.from({ length: 12 }, () => openStream(`/api/superadmin/upgrades/${runId}/events`, { authorization: `Bearer ${token}` })));
    try {
      const checks = async () => Number(/^webwaka_console_sse_rechecks_total (\d+)$/m.exec(await (await fetch(`${BASE_URL}/metrics`)).text())?.[1]);
      const before = await checks();
      await new Promise((r) => setTimeout(r, 7000));
      // About two intervals of 3 s: two or three checks for the 12 streams (not 24 or more).
      // Other credentials of this file hold no open stream now.
      expect((await checks()) - before).toBeLessThanOrEqual(4);
      await testDb().apiToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() } });
      const ended = await Promise.all(streams.map((s) => s.ended()));
      for (const after of ended) {
        expect(after, "a stream was still open 10 s after the token was revoked").not.toBeNull();
        expect(after!).toBeLessThan(8000);
      }
    } finally {
      for (const s of streams) s.close();
    }
  });

  it("while the credential holds, the stream stays open past several re-checks", async () => {
    const { token } = await newUser();
    const stream = await openStream(`/api/superadmin/upgrades/${runId}/events`, { authorization: `Bearer ${token}` });
    try {
      expect(await stream.ended()).toBeNull();
    } finally {
      stream.close();
    }
  });
});
