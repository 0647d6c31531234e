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

export type HashedFieldsV2 = Omit<HashedFields, "metadata"> & {
  seq: bigint;
  /** The metadata as PostgreSQL writes the stored jsonb (`metadata::text`). */
  metadataText: string;
};

// Version 2, computed by the database when it links an entry at COMMIT
// (audit_entry_hash_v2() in migration 20261202143817_audit_chain_at_commit), and here to verify.
// Both sides build the same text: fixed key order, strings JSON-escaped (PostgreSQL's to_json()
// and JSON.stringify() escape alike), and the metadata as the database's own jsonb text, so no
// number or key-order rule has to be reproduced on either side.
export function canonicalTextV2(prevHash: string, e: HashedFieldsV2): string {
  const s = (v: string | null) => JSON.stringify(v);
  return (
    `{"v":2,"seq":${e.seq.toString()},"prevHash":${s(prevHash)},"createdAt":${s(e.createdAt.toISOString())}` +
    `,"actorType":${s(e.actorType)},"actorId":${s(e.actorId)},"actorLabel":${s(e.actorLabel)},"action":${s(e.action)}` +
    `,"resourceType":${s(e.resourceType)},"resourceId":${s(e.resourceId)},"result":${s(e.result)},"ip":${s(e.ip)}` +
    `,"metadata":${e.metadataText}}`
  );
}

export function entryHashV2(prevHash: string, e: HashedFieldsV2): string {
  return createHash("sha256").update(canonicalTextV2(prevHash, e)).digest("hex");
}
