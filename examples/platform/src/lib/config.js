// The instance's JSON config ({configVersion, values}). 1.x sizes the pool with DB_POOL_SIZE;
// 2.0.0 renamed it DATABASE_POOL_MAX and refuses the old key so a missed rename is loud.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { major } from "./release.js";

/** sysexits EX_CONFIG: the drivers read it as "the config is wrong", not "the code crashed". */
export const EX_CONFIG = 78;

export class ConfigError extends Error {}

function poolSize(values) {
  const key = major >= 2 ? "DATABASE_POOL_MAX" : "DB_POOL_SIZE";
  if (major >= 2) {
    if ("DB_POOL_SIZE" in values) {
      throw new ConfigError("DB_POOL_SIZE was renamed DATABASE_POOL_MAX in 2.0.0; rename the key in the config file (the old key is refused so a half-done rename cannot slip through).");
    }
    if (!("DATABASE_POOL_MAX" in values)) throw new ConfigError("DATABASE_POOL_MAX is required by 2.0.0 (it replaces DB_POOL_SIZE).");
  }
  const raw = values[key] ?? 5;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new ConfigError(`${key} must be an integer from 1 to 200, got ${JSON.stringify(raw)}.`);
  return n;
}

/** Reads and checks the config; throws ConfigError with a message meant for an operator. */
export function loadConfig(file = process.env.CONFIG_FILE) {
  let text = '{"configVersion":0,"values":{}}';
  if (file) {
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new ConfigError(`Cannot read CONFIG_FILE ${file}: ${e.message}`);
    }
  }
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`CONFIG_FILE ${file} is not valid JSON: ${e.message}`);
  }
  const values = parsed?.values;
  if (!values || typeof values !== "object" || Array.isArray(values)) throw new ConfigError(`CONFIG_FILE ${file} has no "values" object.`);
  const configVersion = Number(parsed.configVersion ?? 0);
  if (!Number.isInteger(configVersion)) throw new ConfigError(`CONFIG_FILE ${file}: configVersion must be an integer.`);
  return {
    file: file ?? null,
    configVersion,
    values,
    keys: Object.keys(values).sort(),
    sha256: createHash("sha256").update(text).digest("hex"),
    poolSize: poolSize(values),
  };
}

/** For process start: a bad config ends the process with exit 78 and the reason on stderr. */
export function loadConfigOrExit(component) {
  try {
    return loadConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`webwaka ${component}: configuration error: ${e.message}\n`);
    process.exit(EX_CONFIG);
  }
}
