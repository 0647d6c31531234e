import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { getEnv } from "@/lib/env";

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

const globalForDb = globalThis as unknown as { prisma?: PrismaClient };

// Prisma's defaults (2 s to start, 5 s to finish) turn waiting behind another transaction's row
// lock into an error. Transactions here are short (long work is queued, never done inside one),
// so these limits only catch a transaction that is stuck, not one that had to wait its turn.
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 30_000 } as const;

function createClient(): PrismaClient {
  const adapter = new PrismaPg({ connectionString: getEnv().DATABASE_URL });
  return new PrismaClient({ adapter, transactionOptions: TRANSACTION_OPTIONS });
}

// One client per process; cached on globalThis so dev reloads do not leak pools.
export function getDb(): PrismaClient {
  globalForDb.prisma ??= createClient();
  return globalForDb.prisma;
}
