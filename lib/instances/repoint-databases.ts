import "server-only";
import { getDb } from "@/lib/db";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { recordAudit } from "@/lib/audit/record-audit";

/**
 * The demo fleet's databases live on the console's private PostgreSQL. That server keeps its port
 * across restarts (stored beside it), but when the port was taken by something else it moves, and
 * every stored connection string pointing at it would break. This rewrites those, and only those:
 * the ones with the private server's own host and credentials. Returns the instances changed.
 */
export async function repointLocalDatabases(adminUrl: string): Promise<string[]> {
  const server = new URL(adminUrl);
  const db = getDb();
  const instances = await db.instance.findMany({ where: { databaseUrlEncrypted: { not: null } }, select: { id: true, name: true, databaseUrlEncrypted: true } });
  const changed: string[] = [];
  for (const i of instances) {
    let url: URL;
    try {
      url = new URL(decryptSecret(i.databaseUrlEncrypted ?? ""));
    } catch {
      continue;
    }
    const ours = url.hostname === server.hostname && url.username === server.username && url.password === server.password;
    if (!ours || url.port === server.port) continue;
    const from = url.port;
    url.port = server.port;
    await db.$transaction(async (tx) => {
      await tx.instance.update({ where: { id: i.id }, data: { databaseUrlEncrypted: encryptSecret(url.toString()) } });
      await recordAudit(tx, { type: "system", label: "start-up" }, { action: "instance.database.repoint", resourceType: "instance", resourceId: i.id, metadata: { name: i.name, fromPort: Number(from), toPort: Number(server.port) } });
    });
    changed.push(i.name);
  }
  return changed;
}
