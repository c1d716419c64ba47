import { hash, verify } from "@node-rs/argon2";

// OWASP Password Storage Cheat Sheet, argon2id option 2: 19 MiB memory, 2 iterations, 1 lane.
const ARGON2ID = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * Why a password is refused, or undefined when it is acceptable. NIST SP 800-63B: length over
 * composition rules; a few obvious patterns are still refused.
 */
export function passwordWeakness(
  password: string,
  context: readonly string[] = [],
): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH)
    return `must be at least ${PASSWORD_MIN_LENGTH} characters long`;
  if (password.length > PASSWORD_MAX_LENGTH)
    return `must be at most ${PASSWORD_MAX_LENGTH} characters long`;
  if (/^(.)\1+$/.test(password)) return "must not repeat one character";
  const lower = password.toLowerCase();
  for (const word of context) {
    if (word.length >= 4 && lower.includes(word.toLowerCase()))
      return "must not contain your user name";
  }
  if (/^(password|123456|qwerty|letmein|welcome)/i.test(password))
    return "is too common: choose a longer passphrase";
  return undefined;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID);
}

/** Verifies in constant time; a malformed stored hash verifies as false rather than throwing. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

// A real hash to verify against when the user does not exist, so timing does not tell
// whether an account exists.
let dummy: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword("assent-timing-equaliser");
  return dummy;
}
