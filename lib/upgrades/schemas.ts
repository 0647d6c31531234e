import { z } from "zod";
import { SEMVER_RE } from "@/lib/versions";
import { isoDateTimeSchema } from "@/lib/dates";

export const runIdSchema = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "is not a run id");

const reason = z.string().trim().min(10, "write at least 10 characters").max(2000);

export const manualChecklistSchema = z
  .object({
    maintenanceWindowScheduled: z.boolean().optional(),
    stakeholdersNotified: z.boolean().optional(),
    rollbackPlanPrepared: z.boolean().optional(),
  })
  .strict();

export const createUpgradeSchema = z
  .object({
    targetVersion: z.string().trim().regex(SEMVER_RE, "must be a version such as 1.2.3"),
    rollbackPlan: z.string().trim().max(5000).optional(),
    scheduledFor: isoDateTimeSchema().optional(),
    checklist: manualChecklistSchema.optional(),
    checklistOverride: z.object({ reason }).strict().optional(),
    // A critical security patch on a frozen instance (or during a freeze): superadmin only.
    securityOverride: z.object({ reason }).strict().optional(),
  })
  .strict()
  .refine((v) => !(v.checklist?.rollbackPlanPrepared && !v.rollbackPlan), { message: "Write the rollback plan when you tick rollbackPlanPrepared.", path: ["rollbackPlan"] });

export type CreateUpgradeInput = z.infer<typeof createUpgradeSchema>;

export const CHECKLIST_KEYS = ["backupCompleted", "maintenanceWindowScheduled", "stakeholdersNotified", "rollbackPlanPrepared", "compatibilityVerified", "dependenciesChecked"] as const;

export const checklistUpdateSchema = z.union([
  z.object({ items: z.partialRecord(z.enum(CHECKLIST_KEYS), z.literal(true)).refine((o) => Object.keys(o).length > 0, "tick at least one item") }).strict(),
  z.object({ override: z.object({ reason }).strict() }).strict(),
]);

export type ChecklistUpdate = z.infer<typeof checklistUpdateSchema>;

export const decisionSchema = z.object({ comment: z.string().trim().min(1, "is required").max(2000), rollbackPlanAcknowledged: z.literal(true, { message: "must be true: read the rollback plan first" }) }).strict();
export const rejectSchema = z.object({ comment: z.string().trim().min(1, "is required").max(2000) }).strict();
export const emergencyRollbackSchema = z
  .object({
    reason: z.string().trim().max(2000).optional(),
    // From a run's page: the rollback must undo that run, which must be the instance's latest.
    upgradeId: z.string().min(1).max(64).optional(),
    // Restoring a backup older than the latest upgrade loses what was written since: only on request.
    olderBackup: z.object({ backupId: z.string().min(1).max(64), acknowledgeDataLoss: z.literal(true, { message: "must be true: everything written since that backup is lost" }) }).strict().optional(),
  })
  .strict();

export const rollbackSchema = z.object({ reason: z.string().trim().min(3).max(2000).optional(), acknowledgeDataLoss: z.literal(true).optional() }).strict();
export const upgradesQuerySchema = z.object({
  status: z.enum(["pending_approval", "approved", "scheduled", "running", "awaiting_checklist", "monitoring", "succeeded", "failed", "rolling_back", "rolled_back", "rejected", "cancelled"]).optional(),
  instanceId: z.string().trim().max(64).optional(),
});
