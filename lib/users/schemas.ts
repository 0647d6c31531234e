import { z } from "zod";
import { ROLES } from "@/lib/auth/permissions";

export const emailSchema = z.string().trim().toLowerCase().email("must be an email address").max(200);

const passwordSchema = z.string().min(12, "must be at least 12 characters").max(200);

export const createUserSchema = z.object({
  email: emailSchema,
  name: z.string().trim().min(1, "is required").max(100),
  role: z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` }),
  password: passwordSchema,
});

export const updateUserRoleSchema = z.object({
  userId: z.string().min(1).max(64),
  role: z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` }),
});

export const setUserDisabledSchema = z.object({
  userId: z.string().min(1).max(64),
  disabled: z.boolean(),
});

export const setUserPasswordSchema = z.object({
  userId: z.string().min(1).max(64),
  password: passwordSchema,
});

export const createTokenSchema = z.object({
  name: z.string().trim().min(1, "is required").max(80),
  expiresInDays: z.coerce.number().int().min(1).max(3650).optional(),
});

export const revokeTokenSchema = z.object({ tokenId: z.string().min(1).max(64) });
