// Vitest runs from `npm test`, which provides a migrated, seeded database and a running server.
export default function requireEnv(): void {
  const missing = ["DATABASE_URL", "TEST_BASE_URL", "TEST_TOKENS", "TEST_PASSWORD"].filter((k) => !process.env[k]);
  if (missing.length) {
    throw new Error(`Missing ${missing.join(", ")}. Run the suite through \`npm test\`, which starts PostgreSQL and the server.`);
  }
}
