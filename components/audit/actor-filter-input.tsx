"use client";
import { useEffect, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Input } from "@/components/ui/field";

type Search = { actors: { label: string }[]; complete: boolean };

async function searchActors(q: string): Promise<Search> {
  const res = await fetch(`/api/superadmin/audit-logs/actors?q=${encodeURIComponent(q)}`, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`The actor search answered HTTP ${res.status}.`);
  return (await res.json()) as Search;
}

/**
 * The audit filter's actor field. The filter matches an exact id or label, so as the person
 * types, the labels that contain the text are offered to pick from (GET /audit-logs/actors).
 */
export function ActorFilterInput({ id, name, defaultValue }: { id: string; name: string; defaultValue: string }) {
  const [value, setValue] = useState(defaultValue);
  const [q, setQ] = useState("");
  useEffect(() => {
    const t = setTimeout(() => setQ(value.trim()), 200);
    return () => clearTimeout(t);
  }, [value]);
  const search = useQuery({ queryKey: ["audit-actors", q], queryFn: () => searchActors(q), enabled: q.length > 0, staleTime: 30_000 });
  const listId = `${id}-suggestions`;
  return (
    <>
      <Input id={id} name={name} value={value} onChange={(e) => setValue(e.target.value)} list={listId} autoComplete="off" placeholder="email, token label or id" />
      <datalist id={listId} data-testid="actor-suggestions">
        {(search.data?.actors ?? []).map((a) => (
          <option key={a.label} value={a.label} />
        ))}
      </datalist>
      {search.isError ? <p className="text-xs text-red-700">{search.error.message}</p> : null}
    </>
  );
}
