// Reads the bundle's migrations/NNNN_name.{up,down}.sql files.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { bundleDir } from "./release.js";

const FILE = /^(\d{4})_([a-z0-9_]+)\.(up|down)\.sql$/;

/** @returns {{version: string, name: string, up: string | null, down: string | null}[]} sorted by version */
export function listMigrations(dir = path.join(bundleDir, "migrations")) {
  const byVersion = new Map();
  for (const file of readdirSync(dir)) {
    const m = FILE.exec(file);
    if (!m) continue;
    const [, version, name, direction] = m;
    const entry = byVersion.get(version) ?? { version, name, up: null, down: null };
    if (entry.name !== name) throw new Error(`Two migrations share version ${version}: ${entry.name} and ${name}.`);
    entry[direction] = path.join(dir, file);
    byVersion.set(version, entry);
  }
  return [...byVersion.values()].sort((a, b) => a.version.localeCompare(b.version));
}

export const readSql = (file) => readFileSync(file, "utf8");
