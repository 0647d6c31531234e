import { z } from "zod";

const optionalText = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((v) => (v === "" ? undefined : v));

const optionalDate = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === "") return undefined;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: "custom", message: "must be an ISO date or date-time" });
      return z.NEVER;
    }
    return d;
  });

export const auditFilterSchema = z.object({
  actor: optionalText,
  action: optionalText,
  resourceType: optionalText,
  resourceId: optionalText,
  result: z
    .enum(["success", "failure", "denied", ""])
    .optional()
    .transform((v) => (v === "" ? undefined : v)),
  from: optionalDate,
  to: optionalDate,
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, "must be a cursor from a previous page")
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export type AuditFilter = z.infer<typeof auditFilterSchema>;

const actionName = z
  .string()
  .trim()
  .min(3)
  .max(100)
  .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, "must look like instance.upgrade.rollback");

export const auditCreateSchema = z.object({
  action: actionName,
  resource: z.object({
    type: z.string().trim().min(1).max(50).regex(/^[a-z_]+$/, "must be a lower-case type such as instance"),
    id: z.string().trim().min(1).max(200),
  }),
  result: z.enum(["success", "failure", "denied"]),
  metadata: z
    .record(z.string(), z.unknown())
    .default({})
    .refine((m) => JSON.stringify(m).length <= 16_384, "must be at most 16 KiB of JSON"),
});

export type AuditCreate = z.infer<typeof auditCreateSchema>;
