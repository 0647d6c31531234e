import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Reads a secret kept in `file`, creating it (mode 600) the first time. */
export function loadOrCreateSecret(file: string, bytes: number, encoding: "base64" | "base64url" = "base64url"): string {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) writeFileSync(file, randomBytes(bytes).toString(encoding) + "\n", { mode: 0o600 });
  chmodSync(file, 0o600);
  return readFileSync(file, "utf8").trim();
}
