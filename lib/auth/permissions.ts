// Roles and what they may do, kept as data. Every page, server action and route asks `can`.
export const ROLES = ["superadmin", "approver", "viewer"] as const;
export type Role = (typeof ROLES)[number];

const ALL: readonly Role[] = ROLES;
const ADMIN: readonly Role[] = ["superadmin"];

export const PERMISSIONS = {
  "instance:read": ALL,
  "instance:update": ADMIN,
  "instance:maintenance": ADMIN,
  "freeze:manage": ADMIN,
  "release:read": ALL,
  "release:manage": ADMIN,
  "upgrade:read": ALL,
  "upgrade:run": ADMIN,
  "upgrade:approve": ["approver", "superadmin"],
  "backup:read": ALL,
  "backup:run": ADMIN,
  "rollback:run": ADMIN,
  "alert:read": ALL,
  "alert:resolve": ADMIN,
  "audit:read": ALL,
  "audit:write": ADMIN,
  "audit:verify": ALL,
  // A full re-verification: a job that reads every entry, so only for admins.
  "audit:verify-full": ADMIN,
  "notification:read": ALL,
  "notification:manage": ADMIN,
  "user:manage": ADMIN,
  "token:manage": ADMIN,
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}
