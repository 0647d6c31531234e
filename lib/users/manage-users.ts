import "server-only";
import type { z } from "zod";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { Prisma } from "@/generated/prisma/client";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { hashPassword } from "@/lib/auth/password";
import { recordAudit } from "@/lib/audit/record-audit";
import { END_SESSIONS } from "@/lib/auth/sessions";
import type { createUserSchema, setUserDisabledSchema, setUserPasswordSchema, updateUserRoleSchema } from "@/lib/users/schemas";

export type UserDto = { id: string; email: string; name: string; role: string; disabled: boolean; lastLoginAt: string | null; createdAt: string };

export async function listUsers(opts: { actor: Actor | null }): Promise<UserDto[]> {
  requirePermission(opts.actor, "user:manage");
  const rows = await getDb().user.findMany({ orderBy: { email: "asc" } });
  return rows.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    disabled: u.disabledAt !== null,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  }));
}

export async function createUser(opts: { actor: Actor | null; input: z.infer<typeof createUserSchema> }): Promise<{ id: string }> {
  requirePermission(opts.actor, "user:manage");
  const { input } = opts;
  const passwordHash = await hashPassword(input.password);
  try {
    return await getDb().$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email: input.email, name: input.name, role: input.role, passwordHash }, select: { id: true } });
      await recordAudit(tx, opts.actor, { action: "user.create", resourceType: "user", resourceId: user.id, metadata: { email: input.email, role: input.role } });
      return user;
    });
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") {
      throw new AppError("conflict", `A user with email ${input.email} already exists.`, { fieldErrors: { email: ["is taken"] } });
    }
    throw e;
  }
}

async function assertNotLastSuperadmin(tx: Prisma.TransactionClient, userId: string): Promise<void> {
  const others = await tx.user.count({ where: { role: "superadmin", disabledAt: null, id: { not: userId } } });
  if (others === 0) throw new AppError("conflict", "This is the last active superadmin; promote another user first.");
}

export async function updateUserRole(opts: { actor: Actor | null; input: z.infer<typeof updateUserRoleSchema> }): Promise<void> {
  requirePermission(opts.actor, "user:manage");
  const { input } = opts;
  await getDb().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(727002)`; // serialise role changes: last-superadmin rule
    const user = await tx.user.findUnique({ where: { id: input.userId } });
    if (!user) throw new AppError("not_found", "No such user.");
    if (user.role === input.role) return;
    if (user.role === "superadmin") await assertNotLastSuperadmin(tx, user.id);
    // Sessions begun under the old role end: the person signs in again as who they are now.
    await tx.user.update({ where: { id: user.id }, data: { role: input.role, ...END_SESSIONS } });
    await recordAudit(tx, opts.actor, { action: "user.role.update", resourceType: "user", resourceId: user.id, metadata: { email: user.email, from: user.role, to: input.role } });
  });
}

export async function setUserDisabled(opts: { actor: Actor | null; input: z.infer<typeof setUserDisabledSchema> }): Promise<void> {
  requirePermission(opts.actor, "user:manage");
  const { input } = opts;
  await getDb().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(727002)`;
    const user = await tx.user.findUnique({ where: { id: input.userId } });
    if (!user) throw new AppError("not_found", "No such user.");
    if ((user.disabledAt !== null) === input.disabled) return;
    if (input.disabled && user.role === "superadmin") await assertNotLastSuperadmin(tx, user.id);
    // Disabling ends the sessions for good: enabling again does not bring them back.
    await tx.user.update({ where: { id: user.id }, data: input.disabled ? { disabledAt: new Date(), ...END_SESSIONS } : { disabledAt: null } });
    await recordAudit(tx, opts.actor, { action: input.disabled ? "user.disable" : "user.enable", resourceType: "user", resourceId: user.id, metadata: { email: user.email } });
  });
}

/** Sets a user's password (a superadmin resets it) and ends the sessions begun with the old one. */
export async function setUserPassword(opts: { actor: Actor | null; input: z.infer<typeof setUserPasswordSchema> }): Promise<void> {
  requirePermission(opts.actor, "user:manage");
  const { input } = opts;
  const passwordHash = await hashPassword(input.password);
  await getDb().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.userId } });
    if (!user) throw new AppError("not_found", "No such user.");
    await tx.user.update({ where: { id: user.id }, data: { passwordHash, ...END_SESSIONS } });
    await recordAudit(tx, opts.actor, { action: "user.password.update", resourceType: "user", resourceId: user.id, metadata: { email: user.email } });
  });
}
