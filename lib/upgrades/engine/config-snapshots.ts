import "server-only";
import { createHash } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { getDb } from "@/lib/db";

export type ConfigValues = Record<string, string | number | boolean>;

function sha(content: unknown): string {
  return createHash("sha256").update(JSON.stringify(content)).digest("hex");
}

export async function latestSnapshot(instanceId: string) {
  return getDb().configSnapshot.findFirst({ where: { instanceId }, orderBy: { version: "desc" } });
}

/** Stores a new config version and writes it to the instance's config file atomically. */
export async function writeSnapshot(instanceId: string, configFile: string, values: ConfigValues, forRelease: string): Promise<number> {
  const db = getDb();
  const last = await latestSnapshot(instanceId);
  if (last && last.forRelease === forRelease && sha(last.content) === sha(values)) {
    await writeConfigFile(configFile, last.version, values);
    return last.version;
  }
  const version = (last?.version ?? 0) + 1;
  await db.configSnapshot.create({ data: { instanceId, version, forRelease, content: values, sha256: sha(values) } });
  await writeConfigFile(configFile, version, values);
  return version;
}

export async function writeConfigFile(configFile: string, configVersion: number, values: ConfigValues): Promise<void> {
  await mkdir(path.dirname(configFile), { recursive: true });
  const tmp = `${configFile}.tmp`;
  await writeFile(tmp, JSON.stringify({ configVersion, values }, null, 2) + "\n", { mode: 0o600 });
  await rename(tmp, configFile);
}

/** The release's config requirements applied to the current values (renamed keys move over). */
export function applyRequirements(values: ConfigValues, requirements: unknown): ConfigValues {
  const out: ConfigValues = { ...values };
  const renamed = (requirements as { renamed?: Record<string, string> } | null)?.renamed ?? {};
  for (const [from, to] of Object.entries(renamed)) {
    if (from in out) {
      out[to] = out[from] as string | number | boolean;
      delete out[from];
    }
  }
  return out;
}
