import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import { instanceInclude, serializeInstance, type InstanceDto } from "@/lib/instances/serialize-instance";
import type { Prisma } from "@/generated/prisma/client";
import { pageWindow, type PageInfo, type PageQuery } from "@/lib/pagination";

export async function listInstances(opts: { actor: Actor | null }): Promise<InstanceDto[]> {
  requirePermission(opts.actor, "instance:read");
  const rows = await getDb().instance.findMany({ include: instanceInclude, orderBy: { name: "asc" } });
  return rows.map(serializeInstance);
}

/** Instances whose name contains `q` (any case); every instance without one. */
export function instanceNameFilter(q: string | undefined): Prisma.InstanceWhereInput {
  // Prisma hands `contains` to ILIKE as it is: escape its wildcards so that % and _ mean themselves.
  return q ? { name: { contains: q.replace(/[\\%_]/g, "\\$&"), mode: "insensitive" } } : {};
}

/** One page of instances by name, optionally those whose name contains `q` (any case). */
export async function listInstancePage(opts: { actor: Actor | null; query: PageQuery }): Promise<{ instances: InstanceDto[]; page: PageInfo }> {
  requirePermission(opts.actor, "instance:read");
  const db = getDb();
  const where = instanceNameFilter(opts.query.q);
  const { skip, take, info } = pageWindow(opts.query);
  const [rows, total] = await Promise.all([db.instance.findMany({ where, include: instanceInclude, orderBy: { name: "asc" }, skip, take }), db.instance.count({ where })]);
  return { instances: rows.map(serializeInstance), page: info(total) };
}

export async function getInstance(opts: { actor: Actor | null; id: string }): Promise<InstanceDto> {
  requirePermission(opts.actor, "instance:read");
  const row = await getDb().instance.findUnique({ where: { id: opts.id }, include: instanceInclude });
  if (!row) throw new AppError("not_found", `No instance with id ${opts.id}.`);
  return serializeInstance(row);
}
