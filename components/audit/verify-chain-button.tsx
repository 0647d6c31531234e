"use client";
import { useMutation } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";

type Verdict = { ok: true; checked: number } | { ok: false; checked: number; brokenAtId: string | null; reason: string };

async function verify(): Promise<Verdict> {
  const res = await fetch("/api/superadmin/audit-logs/verify", { headers: { accept: "application/json" } });
  if (res.status !== 200 && res.status !== 409) throw new Error(`Verification could not run (HTTP ${res.status}).`);
  return (await res.json()) as Verdict;
}

export function VerifyChainButton() {
  const m = useMutation({ mutationFn: verify });
  return (
    <div className="flex flex-wrap items-center gap-3">
      <Button variant="secondary" onClick={() => m.mutate()} disabled={m.isPending}>
        {m.isPending ? "Verifying…" : "Verify hash chain"}
      </Button>
      <span role="status" aria-live="polite" className="text-sm">
        {m.error ? <span className="text-red-700">{m.error.message}</span> : null}
        {m.data?.ok ? <span className="text-emerald-700">Intact: {m.data.checked} entries verified.</span> : null}
        {m.data && !m.data.ok ? (
          <span className="text-red-700">
            {m.data.brokenAtId ? `Broken at entry ${m.data.brokenAtId}` : "Broken"}: {m.data.reason}.
          </span>
        ) : null}
      </span>
    </div>
  );
}
