import "server-only";
import { redirect } from "next/navigation";
import { currentActor } from "@/lib/auth/resolve-actor";
import type { HumanActor } from "@/lib/auth/actor";

/** Pages: the signed-in person, or a redirect to the login page. */
export async function requirePageActor(): Promise<HumanActor> {
  const actor = await currentActor();
  if (!actor || actor.type === "system") redirect("/login");
  return actor;
}
