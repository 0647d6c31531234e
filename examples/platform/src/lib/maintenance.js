// Maintenance mode lives in platform_settings so every app process (and the next release) sees
// it. Reads are cached briefly: the gate runs on every request.
import { getSetting, setSetting } from "./db.js";

const KEY = "maintenance";
const TTL_MS = 500;

export function createMaintenance(db) {
  let cached = { enabled: false, message: null };
  let readAt = 0;

  return {
    /** The current state; on a database error, the last one known (the caller decides). */
    async get({ fresh = false } = {}) {
      if (!fresh && Date.now() - readAt < TTL_MS) return cached;
      const v = await getSetting(db, KEY, { enabled: false, message: null });
      cached = { enabled: !!v.enabled, message: v.message ?? null };
      readAt = Date.now();
      return cached;
    },
    lastKnown: () => cached,
    async set(enabled, message) {
      const value = { enabled, message: enabled ? (message ?? null) : null };
      await setSetting(db, KEY, value);
      cached = value;
      readAt = Date.now();
      return value;
    },
  };
}
