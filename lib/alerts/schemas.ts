import { z } from "zod";

export const alertIdSchema = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "is not an alert id");

export const listAlertsQuerySchema = z
  .object({
    status: z.enum(["open", "resolved"], { message: "must be open or resolved" }).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export type ListAlertsQuery = z.infer<typeof listAlertsQuerySchema>;

export const resolveAlertSchema = z
  .object({ comment: z.string().trim().max(1000, "at most 1000 characters").optional() })
  .strict();

export type ResolveAlertInput = z.infer<typeof resolveAlertSchema>;
