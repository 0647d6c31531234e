import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { instanceInclude, serializeInstance, type InstanceDto } from "@/lib/instances/serialize-instance";

export async function listInstances(opts: { actor: Actor | null }): Promise<InstanceDto[]> {
  requirePermission(opts.actor, "instance:read");
  const rows = await getDb().instance.findMany({ include: instanceInclude, orderBy: { name: "asc" } });
  return rows.map(serializeInstance);
}

export async function getInstance(opts: { actor: Actor | null; id: string }): Promise<InstanceDto> {
  requirePermission(opts.actor, "instance:read");
  const row = await getDb().instance.findUnique({ where: { id: opts.id }, include: instanceInclude });
  if (!row) throw new AppError("not_found", `No instance with id ${opts.id}.`);
  return serializeInstance(row);
}
