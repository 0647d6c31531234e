import { z } from "zod";
import type { Instance } from "@/generated/prisma/client";

// The instance's post-upgrade monitoring policy: how long the window lasts (runbook step 11:
// 24-48 h, so up to a week is allowed) and whether a breach rolls back by itself.
export const monitoringPolicyFields = {
  monitoringWindowMinutes: z.number().int("must be whole minutes").min(5, "at least 5 minutes").max(7 * 24 * 60, "at most 7 days").optional(),
  rollbackOnMonitoringBreach: z.boolean({ message: "must be true or false" }).optional(),
};

type PolicyInput = { monitoringWindowMinutes?: number; rollbackOnMonitoringBreach?: boolean };

/** The columns to write and the audit "changes" for the policy fields of a PATCH. */
export function monitoringPolicyChanges(before: Pick<Instance, "monitoringWindowMinutes" | "rollbackOnMonitoringBreach">, input: PolicyInput) {
  const data: PolicyInput = {};
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of ["monitoringWindowMinutes", "rollbackOnMonitoringBreach"] as const) {
    const to = input[key];
    if (to === undefined) continue;
    (data as Record<string, unknown>)[key] = to;
    if (before[key] !== to) changes[key] = { from: before[key], to };
  }
  return { data, changes };
}
