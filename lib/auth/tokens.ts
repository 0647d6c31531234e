import { createHash, randomBytes } from "node:crypto";

export const API_TOKEN_PREFIX = "wwk_";

export function generateApiToken(): { token: string; hash: string; prefix: string } {
  const token = API_TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return { token, hash: sha256Hex(token), prefix: token.slice(0, API_TOKEN_PREFIX.length + 6) };
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export function generateUrlToken(): string {
  return randomBytes(32).toString("base64url");
}
