import "server-only";
import type { Tx } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record-audit";
import type { Alert } from "@/generated/prisma/client";
import type { AlertKind } from "@/generated/prisma/enums";
import { enqueueNotification } from "@/lib/notifications/enqueue-notification";

const ALERT_TITLES: Record<AlertKind, string> = {
  upgrade_duration: "Upgrade running longer than 30 minutes",
  success_rate: "Upgrade success rate below 95%",
  post_upgrade_error_rate: "Post-upgrade error rate above 1%",
  rollback_rate: "Rollback rate above 5%",
  monitoring_breach: "Post-upgrade monitoring breach",
};

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
  await enqueueNotification(tx, {
    event: "alert.fired",
    instanceId: alert.instanceId,
    runId: alert.runId,
    payload: { title: ALERT_TITLES[alert.kind], message: alert.message, severity: alert.severity, alertId: alert.id, value: alert.value, threshold: alert.threshold },
  });
  return { alert, opened: true };
}
