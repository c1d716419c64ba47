import type { KeyRing } from "../../platform/crypto/index.ts";
import type { Grant } from "./grant-view.ts";

/**
 * Provider tokens are encrypted at rest (AES-256-GCM under the key ring), bound to the grant's
 * identity, so a ciphertext copied onto another grant's row does not decrypt.
 */
export function tokenContext(g: { application_id: string; provider: string; email: string }) {
  return `connect.grant:${g.application_id}:${g.provider}:${g.email.toLowerCase()}`;
}

export function encryptToken(
  keyRing: KeyRing,
  grant: Parameters<typeof tokenContext>[0],
  token: string,
) {
  return keyRing.encrypt(token, tokenContext(grant));
}

export function decryptToken(keyRing: KeyRing, grant: Grant, envelope: string | null) {
  return envelope ? keyRing.decrypt(envelope, tokenContext(grant)) : undefined;
}
