import { z } from "zod";

// The one place that reads process.env. Parsed lazily so that `next build` and tooling that
// never touch the database do not need a DATABASE_URL.
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url().startsWith("postgres", "must be a postgresql:// URL"),
  // next-auth signs sessions with this; `npm start` generates one under .data/ when unset.
  NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters"),
  NEXTAUTH_URL: z.string().url().optional(),
  // 32 bytes, base64: encrypts instance secrets at rest (lib/crypto).
  ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded"),
  DEMO_PASSWORD: z.string().min(8).optional(),
  LOGIN_RATE_LIMIT: z.coerce.number().int().positive().default(10),
  API_RATE_LIMIT: z.coerce.number().int().positive().default(600),
  // Trust X-Forwarded-For for the client IP only behind a proxy you run.
  TRUST_PROXY: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function getEnv(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid environment:\n${problems}\nSee .env.example.`);
  }
  cached = parsed.data;
  return cached;
}

export const APP_VERSION = "0.1.0";
