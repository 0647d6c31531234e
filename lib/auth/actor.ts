import { AppError } from "@/lib/errors";
import { can, type Permission, type Role } from "@/lib/auth/permissions";

// Who is acting. Domain functions take one explicitly, so routes, actions, the worker and tests
// all call the same code.
export type Actor =
  // sessionVersion: the version of the session it came from (absent for a user acting otherwise).
  | { type: "user"; userId: string; email: string; name: string; role: Role; ip?: string | null; sessionVersion?: number }
  | {
      type: "token";
      tokenId: string;
      tokenName: string;
      userId: string;
      email: string;
      name: string;
      role: Role;
      ip?: string | null;
    }
  | { type: "system"; label: string };

export type HumanActor = Exclude<Actor, { type: "system" }>;

export function requirePermission(actor: Actor | null, permission: Permission): asserts actor is Actor {
  if (!actor) throw new AppError("unauthorized", "Sign in or send an API token.");
  if (actor.type === "system") return;
  if (!can(actor.role, permission)) {
    throw new AppError("forbidden", `Your role (${actor.role}) may not do this (${permission}).`);
  }
}

export function actorUserId(actor: Actor): string | null {
  return actor.type === "system" ? null : actor.userId;
}

export function actorLabel(actor: Actor): string {
  switch (actor.type) {
    case "user":
      return actor.email;
    case "token":
      return `${actor.email} (token ${actor.tokenName})`;
    case "system":
      return actor.label;
  }
}
