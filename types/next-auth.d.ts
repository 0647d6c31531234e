// Module augmentation needs interfaces: types cannot merge with next-auth's declarations.
/* eslint-disable @typescript-eslint/consistent-type-definitions */
import type { Role } from "@/lib/auth/permissions";

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string; role: Role; sessionVersion: number };
  }
  interface User {
    role: Role;
    sessionVersion: number;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    role?: Role;
    // The user's sessionVersion when the session began (lib/auth/sessions.ts).
    sv?: number;
  }
}
