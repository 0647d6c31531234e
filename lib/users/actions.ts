"use server";
import { safeAction } from "@/lib/actions/safe-action";
import { createUser, setUserDisabled, setUserPassword, updateUserRole } from "@/lib/users/manage-users";
import { createApiToken, revokeApiToken } from "@/lib/users/api-tokens";
import { createTokenSchema, createUserSchema, revokeTokenSchema, setUserDisabledSchema, setUserPasswordSchema, updateUserRoleSchema } from "@/lib/users/schemas";

const createUserImpl = safeAction("user:manage", createUserSchema, (input, actor) => createUser({ actor, input }));
const updateRoleImpl = safeAction("user:manage", updateUserRoleSchema, (input, actor) => updateUserRole({ actor, input }));
const setDisabledImpl = safeAction("user:manage", setUserDisabledSchema, (input, actor) => setUserDisabled({ actor, input }));
const setPasswordImpl = safeAction("user:manage", setUserPasswordSchema, (input, actor) => setUserPassword({ actor, input }));
const createTokenImpl = safeAction("token:manage", createTokenSchema, (input, actor) => createApiToken({ actor, input }));
const revokeTokenImpl = safeAction("token:manage", revokeTokenSchema, (input, actor) => revokeApiToken({ actor, input }));

export async function createUserAction(input: unknown) {
  return createUserImpl(input);
}

export async function updateUserRoleAction(input: unknown) {
  return updateRoleImpl(input);
}

export async function setUserDisabledAction(input: unknown) {
  return setDisabledImpl(input);
}

export async function setUserPasswordAction(input: unknown) {
  return setPasswordImpl(input);
}

export async function createApiTokenAction(input: unknown) {
  return createTokenImpl(input);
}

export async function revokeApiTokenAction(input: unknown) {
  return revokeTokenImpl(input);
}
