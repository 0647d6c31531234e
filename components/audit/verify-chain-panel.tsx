"use client";
import { useEffect, useRef } from "react";
import { useRouter } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { Time } from "@/components/ui/time";
import type { Checkpoint, VerificationView } from "@/lib/audit/verifications";

type Verdict =
  | { ok: true; checked: number; lastSeq: number; complete: boolean; remaining: number; from: Checkpoint | null }
  | { ok: false; checked: number; brokenAtId: string | null; reason: string };

const FULL_KEY = ["audit-verify-full"];
const HEADERS = { accept: "application/json" };

async function verifyNew(): Promise<Verdict> {
  const res = await fetch("/api/superadmin/audit-logs/verify", { headers: HEADERS });
  if (res.status !== 200 && res.status !== 409) throw new Error(`Verification could not run (HTTP ${res.status}).`);
  return (await res.json()) as Verdict;
}

async function fetchFull(): Promise<VerificationView | null> {
  const res = await fetch("/api/superadmin/audit-logs/verify/full", { headers: HEADERS });
  if (!res.ok) throw new Error(`The full verification could not be read (HTTP ${res.status}).`);
  return ((await res.json()) as { verification: VerificationView | null }).verification;
}

async function startFull(): Promise<VerificationView> {
  const res = await fetch("/api/superadmin/audit-logs/verify/full", { method: "POST", headers: HEADERS });
  const body = (await res.json().catch(() => null)) as { verification?: VerificationView; error?: { message: string } } | null;
  if (res.status !== 202 || !body?.verification) throw new Error(body?.error?.message ?? `The full verification could not be started (HTTP ${res.status}).`);
  return body.verification;
}

const isActive = (v: VerificationView | null | undefined) => v?.status === "queued" || v?.status === "running";

function NewEntriesResult({ data }: { data: Verdict }) {
  if (!data.ok) {
    return (
      <span className="text-red-700">
        {data.brokenAtId ? `Broken at entry ${data.brokenAtId}` : "Broken"}: {data.reason}.
      </span>
    );
  }
  const since = data.from ? `since entry ${data.from.seq}` : "from the chain's start";
  return (
    <span className="text-emerald-700">
      Intact: {data.checked} entries verified {since}
      {data.complete ? `, through entry ${data.lastSeq}.` : `; ${data.remaining} newer entries are left for the next check.`}
    </span>
  );
}

function FullProgress({ v }: { v: VerificationView }) {
  const total = v.total ?? 0;
  const pct = total > 0 ? Math.min(100, Math.floor((v.checked / total) * 100)) : 0;
  const label = v.status === "queued" ? "Full verification queued…" : `Verifying everything: ${v.checked.toLocaleString("en")} of ${total.toLocaleString("en")} entries`;
  return (
    <div className="flex min-w-64 flex-col gap-1" data-testid="full-verify-progress">
      <span className="text-sm">{label}</span>
      <progress className="h-2 w-full" max={100} value={pct} aria-label="Full verification progress">
        {pct}%
      </progress>
    </div>
  );
}

function LastFull({ v }: { v: VerificationView | null }) {
  if (!v) return <span className="text-slate-500">No full verification yet.</span>;
  switch (v.status) {
    case "queued":
    case "running":
      return <FullProgress v={v} />;
    case "passed":
      return (
        <span className="text-emerald-700">
          Last full verification passed: {v.checked.toLocaleString("en")} entries, finished <Time value={v.finishedAt} />
          {v.requestedBy ? ` (asked for by ${v.requestedBy})` : ""}.
        </span>
      );
    case "failed":
      return (
        <span className="text-red-700">
          Last full verification failed
          {v.brokenAtId ? ` at entry ${v.brokenAtId}` : ""}: {v.reason ?? v.problem}. Finished <Time value={v.finishedAt} />.
        </span>
      );
  }
}

/**
 * The chain's verification on the audit page: the checkpoint, a check of the entries since it
 * (quick), and for superadmins a full re-verification, a worker job whose progress is polled.
 */
export function VerifyChainPanel({ checkpoint, initialFull, canVerifyAll }: { checkpoint: Checkpoint | null; initialFull: VerificationView | null; canVerifyAll: boolean }) {
  const client = useQueryClient();
  const router = useRouter();
  // A check or a full verification that ends moves the checkpoint shown above: read it again.
  const check = useMutation({ mutationFn: verifyNew, onSuccess: () => router.refresh() });
  const full = useQuery({ queryKey: FULL_KEY, queryFn: fetchFull, initialData: initialFull, refetchInterval: (q) => (isActive(q.state.data) ? 1_000 : false) });
  const start = useMutation({ mutationFn: startFull, onSuccess: (v) => client.setQueryData(FULL_KEY, v) });
  const running = isActive(full.data);
  const wasRunning = useRef(running);
  useEffect(() => {
    if (wasRunning.current && !running) router.refresh();
    wasRunning.current = running;
  }, [running, router]);
  return (
    <section aria-label="Hash chain verification" className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4 text-sm">
      <p data-testid="verified-checkpoint">
        {checkpoint ? (
          <>
            Verified through entry {checkpoint.seq} ({checkpoint.kind === "full" ? "full verification" : "check of new entries"}, <Time value={checkpoint.verifiedAt} />).
          </>
        ) : (
          "No verified checkpoint yet: the first check starts from the chain's start."
        )}
      </p>
      <div className="flex flex-wrap items-center gap-3">
        <Button variant="secondary" onClick={() => check.mutate()} disabled={check.isPending}>
          {check.isPending ? "Verifying…" : "Verify hash chain"}
        </Button>
        <span role="status" aria-live="polite">
          {check.error ? <span className="text-red-700">{check.error.message}</span> : null}
          {check.data ? <NewEntriesResult data={check.data} /> : null}
        </span>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        {canVerifyAll ? (
          <Button variant="secondary" onClick={() => start.mutate()} disabled={start.isPending || running}>
            {running ? "Verification running…" : "Verify everything"}
          </Button>
        ) : null}
        <span role="status" aria-live="polite" data-testid="full-verify-status">
          {start.error ? <span className="text-red-700">{start.error.message} </span> : null}
          {full.error ? <span className="text-red-700">{full.error.message} </span> : null}
          <LastFull v={full.data} />
        </span>
      </div>
      <p className="text-xs text-slate-500">
        A check reads only the entries written since the last verification, and the entry it ended at. Changes to older entries are found by a full verification, which reads every entry.
      </p>
    </section>
  );
}
