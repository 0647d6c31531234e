import type { Actor } from "@/lib/auth/actor";
import type { Role } from "@/lib/auth/permissions";
import { testDb } from "./db";
import { EMAILS, type Who } from "./env";

/** The seeded account of a role as an Actor, for calling domain functions and actions directly. */
export async function actorFor(who: Who): Promise<Actor | null> {
  if (who === "anonymous") return null;
  const u = await testDb().user.findUniqueOrThrow({ where: { email: EMAILS[who as Role] } });
  return { type: "user", userId: u.id, email: u.email, name: u.name, role: u.role, ip: "127.0.0.1" };
}
