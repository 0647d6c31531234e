import { z } from "zod";
import { CHANNELS } from "@/lib/instances/channels";
import { SEMVER_RE } from "@/lib/versions";
import { monitoringPolicyFields } from "@/lib/instances/monitoring-policy";

export const instanceIdSchema = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "is not an instance id");

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const maintenanceWindowSchema = z
  .object({
    timezone: z.string().trim().min(1).max(64).refine(isTimeZone, "must be an IANA time zone such as Africa/Lagos"),
    windows: z
      .array(
        z.object({
          dayOfWeek: z.number().int().min(0, "0 is Sunday").max(6, "6 is Saturday"),
          start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM (24-hour)"),
          durationMinutes: z.number().int().min(15, "at least 15 minutes").max(1440, "at most 24 hours"),
        }),
      )
      .max(14, "at most 14 windows a week"),
  })
  .strict();

export type MaintenanceWindowInput = z.infer<typeof maintenanceWindowSchema>;

export const updateInstanceSchema = z
  .object({
    updateChannel: z.enum(CHANNELS, { message: `must be one of ${CHANNELS.join(", ")}` }).optional(),
    pinnedVersion: z.string().trim().regex(SEMVER_RE, "must be a version such as 1.2.3").nullable().optional(),
    maintenanceWindow: maintenanceWindowSchema.nullable().optional(),
    requiredApprovals: z.number().int().min(1, "at least 1").max(5, "at most 5").optional(),
    autoRollback: z.boolean({ message: "must be true or false" }).optional(),
    ...monitoringPolicyFields,
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, {
    message: "Send at least one of updateChannel, pinnedVersion, maintenanceWindow, requiredApprovals, autoRollback, monitoringWindowMinutes, rollbackOnMonitoringBreach.",
  });

export type UpdateInstanceInput = z.infer<typeof updateInstanceSchema>;

export const maintenanceSchema = z
  .object({
    enabled: z.boolean({ message: "enabled must be true or false" }),
    message: z.string().trim().max(500).optional(),
  })
  .strict();

export type MaintenanceInput = z.infer<typeof maintenanceSchema>;
