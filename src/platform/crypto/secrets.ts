import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * A high-entropy random secret (client secrets, API keys). `prefix` makes leaked secrets
 * recognisable to secret scanners.
 */
export function generateSecret(prefix = "", bytes = 32): string {
  return prefix + randomBytes(bytes).toString("base64url");
}

/**
 * Hash for high-entropy secrets. SHA-256 suffices: the secret has 256 bits of entropy, so a
 * slow password hash would only cost CPU on every client authentication.
 */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("base64url");
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function verifySecret(secret: string, hash: string): boolean {
  const a = Buffer.from(hashSecret(secret));
  const b = Buffer.from(hash);
  return a.length === b.length && timingSafeEqual(a, b);
}
