import { createHash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

export type HashedFields = {
  createdAt: Date;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  result: string;
  metadata: unknown;
  ip: string | null;
};

// JSON with sorted keys, so that the same value always hashes the same after a JSONB round trip.
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export function entryHash(prevHash: string, e: HashedFields): string {
  const body = canonicalJson({
    prevHash,
    createdAt: e.createdAt.toISOString(),
    actorType: e.actorType,
    actorId: e.actorId,
    actorLabel: e.actorLabel,
    action: e.action,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    result: e.result,
    metadata: e.metadata,
    ip: e.ip,
  });
  return createHash("sha256").update(body).digest("hex");
}
