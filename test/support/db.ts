import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { DATABASE_URL } from "./env";

let client: PrismaClient | undefined;

/** A direct client for setting up and inspecting test data. */
export function testDb(): PrismaClient {
  client ??= new PrismaClient({ adapter: new PrismaPg({ connectionString: DATABASE_URL }) });
  return client;
}
