import bcrypt from "bcryptjs";

const COST = 12;

export function hashPassword(plain: string): Promise<string> {
  return bcrypt.hash(plain, COST);
}

// Compared against when the user does not exist, so a wrong email and a wrong password take the
// same time. Made once, lazily, at the same cost as real hashes.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(plain: string, hash: string | null): Promise<boolean> {
  dummyHash ??= bcrypt.hash("no-such-user", COST);
  const ok = await bcrypt.compare(plain, hash ?? (await dummyHash));
  return hash !== null && ok;
}
