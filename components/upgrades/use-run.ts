"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { UpgradeDetail } from "@/lib/upgrades/list-upgrades";

export type LogLine = { id: string; level: string | null; message: string; at: string };

export async function fetchRun(id: string): Promise<UpgradeDetail> {
  const res = await fetch(`/api/superadmin/upgrades/${id}`, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`The run could not be loaded (HTTP ${res.status}).`);
  return (await res.json()) as UpgradeDetail;
}

/**
 * The run, kept live: the SSE stream appends log lines and, on every state change, refetches the
 * run. EventSource reconnects by itself and sends Last-Event-ID, so nothing is missed.
 */
export function useLiveRun(initial: UpgradeDetail) {
  const client = useQueryClient();
  const query = useQuery({ queryKey: ["upgrade", initial.id], queryFn: () => fetchRun(initial.id), initialData: initial });
  const [logs, setLogs] = useState<Record<string, LogLine[]>>({});
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const source = new EventSource(`/api/superadmin/upgrades/${initial.id}/events`);
    const onLog = (ev: MessageEvent<string>) => {
      const e = JSON.parse(ev.data) as { id: string; stepKey: string | null; level: string | null; message: string | null; at: string };
      const key = e.stepKey ?? "_run";
      setLogs((prev) => {
        const list = prev[key] ?? [];
        if (list.some((l) => l.id === e.id)) return prev;
        return { ...prev, [key]: [...list, { id: e.id, level: e.level, message: e.message ?? "", at: e.at }].slice(-200) };
      });
    };
    const onChange = () => void client.invalidateQueries({ queryKey: ["upgrade", initial.id] });
    source.addEventListener("log", onLog);
    for (const t of ["run_status", "step_status", "checklist", "approval"]) source.addEventListener(t, onChange);
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    return () => source.close();
  }, [client, initial.id]);

  return { run: query.data, logs, connected, refresh: () => client.invalidateQueries({ queryKey: ["upgrade", initial.id] }) };
}

export async function postJson(url: string, body?: unknown): Promise<{ ok: true; data: unknown } | { ok: false; message: string; code?: string; details?: unknown }> {
  try {
    const res = await fetch(url, { method: "POST", headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string; details?: { fieldErrors?: Record<string, string[]> } } };
    if (!res.ok) {
      const fields = data.error?.details?.fieldErrors;
      const detail = fields ? ` ${Object.entries(fields).map(([k, v]) => `${k}: ${v.join(", ")}`).join("; ")}` : "";
      return { ok: false, message: (data.error?.message ?? `HTTP ${res.status}`) + detail, ...(data.error?.code ? { code: data.error.code } : {}), details: data.error?.details };
    }
    return { ok: true, data };
  } catch {
    return { ok: false, message: "The console could not be reached." };
  }
}
