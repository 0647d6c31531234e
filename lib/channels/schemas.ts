import { z } from "zod";
import { instanceIdSchema } from "@/lib/instances/schemas";
import { isoDateTimeSchema } from "@/lib/dates";

const MAX_FREEZE_DAYS = 180;

export const freezeIdSchema = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "is not a freeze id");

export const createFreezeSchema = z
  .object({
    // Absent or null: a freeze of the whole fleet.
    instanceId: instanceIdSchema.nullable().optional(),
    startsAt: isoDateTimeSchema(),
    endsAt: isoDateTimeSchema(),
    reason: z.string().trim().min(3, "say why, in a few words").max(500),
  })
  .strict()
  .superRefine((v, ctx) => {
    const start = Date.parse(v.startsAt);
    const end = Date.parse(v.endsAt);
    if (end <= start) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must be after the start" });
    if (end <= Date.now()) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "is already in the past" });
    if (end - start > MAX_FREEZE_DAYS * 86_400_000) ctx.addIssue({ code: "custom", path: ["endsAt"], message: `a freeze lasts at most ${MAX_FREEZE_DAYS} days` });
  });

export type CreateFreezeInput = z.infer<typeof createFreezeSchema>;

export const listFreezesQuerySchema = z.object({ instanceId: instanceIdSchema.optional() }).strict();
