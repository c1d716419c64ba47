/**
 * Per-tenant token signing keys: generated on tenant creation, encrypted at rest, rotated with
 * an overlap during which the old keys stay published.
 */
export { type GeneratedSigningKey, SIGNING_ALGS, type SigningAlg } from "./generate.ts";
export {
  createTenantSigningKeys,
  DEFAULT_PUBLISH_OLD_FOR_SECONDS,
  ensureTenantSigningKeys,
  listSigningKeys,
  loadSigningJwks,
  MAX_PUBLISH_OLD_FOR_SECONDS,
  rotateSigningKeys,
  type SigningKeyInfo,
  signingKeysOnTenantCreated,
  tenantKeysVersion,
} from "./signing-keys.ts";
