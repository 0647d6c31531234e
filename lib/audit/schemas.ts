import { z } from "zod";
import { optionalDateFilterSchema } from "@/lib/dates";
import { parseBigintId } from "@/lib/http/read-input";

// The console's pages parse these filters straight from the URL, not through parseQuery, so
// the schema itself refuses what PostgreSQL cannot compare: NUL characters, ids past bigint.
const optionalText = z
  .string()
  .trim()
  .max(200)
  .refine((v) => !v.includes("\u0000"), "must not contain a NUL character")
  .optional()
  .transform((v) => (v === "" ? undefined : v));

export const auditFilterSchema = z.object({
  // The exact actor id or label (an email, `email (token name)`, a system task's name). Labels
  // are searched with auditActorSearchSchema instead.
  actor: optionalText,
  action: optionalText,
  resourceType: optionalText,
  resourceId: optionalText,
  result: z
    .enum(["success", "failure", "denied", ""])
    .optional()
    .transform((v) => (v === "" ? undefined : v)),
  from: optionalDateFilterSchema,
  to: optionalDateFilterSchema,
  cursor: z
    .string()
    .refine((v) => parseBigintId(v) !== null, "must be a cursor from a previous page")
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export type AuditFilter = z.infer<typeof auditFilterSchema>;

export const auditActorSearchSchema = z.object({
  q: z
    .string()
    .trim()
    .min(1, "is required")
    .max(200)
    .refine((v) => !v.includes("\u0000"), "must not contain a NUL character"),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export type AuditActorSearch = z.infer<typeof auditActorSearchSchema>;

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
