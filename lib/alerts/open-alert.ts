import "server-only";
import type { Tx } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record-audit";
import type { Alert } from "@/generated/prisma/client";
import type { AlertKind } from "@/generated/prisma/enums";

export const ALERTS_ACTOR = { type: "system" as const, label: "alerts" };

export type OpenAlertInput = {
  kind: AlertKind;
  /** What the alert is about; at most one open alert per key (see Alert.dedupKey). */
  key: string;
  message: string;
  severity?: "warning" | "critical";
  instanceId?: string | null;
  runId?: string | null;
  value?: number | null;
  threshold?: number | null;
};

/**
 * The one way an alert is opened. Idempotent: while an alert with the same key is open, it is
 * returned (its value refreshed) instead of a second one. Workers and sweeps race freely; the
 * advisory lock on the key serialises them until the caller's transaction ends.
 */
export async function openAlert(tx: Tx, input: OpenAlertInput): Promise<{ alert: Alert; opened: boolean }> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`alert:${input.key}`}))`;
  const existing = await tx.alert.findFirst({ where: { dedupKey: input.key, status: "open" } });
  if (existing) {
    const alert = input.value === undefined || input.value === existing.value ? existing : await tx.alert.update({ where: { id: existing.id }, data: { value: input.value } });
    return { alert, opened: false };
  }
  const alert = await tx.alert.create({
    data: {
      kind: input.kind,
      dedupKey: input.key,
      message: input.message.slice(0, 1000),
      severity: input.severity ?? "warning",
      instanceId: input.instanceId ?? null,
      runId: input.runId ?? null,
      value: input.value ?? null,
      threshold: input.threshold ?? null,
    },
  });
  await recordAudit(tx, ALERTS_ACTOR, { action: "alert.open", resourceType: "alert", resourceId: alert.id, metadata: { kind: alert.kind, key: input.key, message: alert.message, instanceId: alert.instanceId, runId: alert.runId, value: alert.value, threshold: alert.threshold } });
  // Notification: the `alert.fired` outbox row is added here, in this transaction.
  return { alert, opened: true };
}
