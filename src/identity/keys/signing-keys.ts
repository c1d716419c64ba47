import type { JWK } from "jose";
import type { Kysely } from "kysely";
import type { KeyRing } from "../../platform/crypto/index.ts";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { generateSigningKey, SIGNING_ALGS } from "./generate.ts";
import {
  countActiveKeys,
  insertSigningKeys,
  lockTenant,
  retireActiveKeys,
  type SigningKeyRow,
  selectAllKeys,
  selectKeysVersion,
  selectPublishedKeys,
  touchTenant,
} from "./signing-key-queries.ts";

/**
 * How long a retired key stays in the JWKS by default: 24 hours, longer than any token Assent
 * issues, so every token signed before a rotation still verifies until it expires.
 */
export const DEFAULT_PUBLISH_OLD_FOR_SECONDS = 24 * 60 * 60;
/** Upper bound on publishOldFor (90 days): a retired key must eventually disappear. */
export const MAX_PUBLISH_OLD_FOR_SECONDS = 90 * 24 * 60 * 60;

/** The additional authenticated data that binds an encrypted key to its tenant and kid. */
function encryptionContext(tenantId: string, kid: string): string {
  return `signing-key:${tenantId}:${kid}`;
}

/**
 * Creates the tenant's signing keys, one RS256 (2048-bit) and one ES256, inside the caller's
 * transaction (a tenant-creation hook). Private JWKs are encrypted with the key ring.
 *
 * @example
 * createDirectory({ database, onTenantCreated: [(trx, t) => createTenantSigningKeys(trx, keyRing, t.id)] });
 */
export async function createTenantSigningKeys(
  trx: Kysely<IdentityDB>,
  keyRing: KeyRing,
  tenantId: string,
): Promise<void> {
  await insertNewKeys(trx, keyRing, tenantId);
}

async function insertNewKeys(
  db: Kysely<IdentityDB>,
  keyRing: KeyRing,
  tenantId: string,
): Promise<string[]> {
  const generated = await Promise.all(SIGNING_ALGS.map(generateSigningKey));
  await insertSigningKeys(
    db,
    tenantId,
    generated.map((k) => ({
      kid: k.kid,
      alg: k.alg,
      privateJwk: keyRing.encrypt(JSON.stringify(k.privateJwk), encryptionContext(tenantId, k.kid)),
      publicJwk: k.publicJwk as Record<string, unknown>,
    })),
  );
  return generated.map((k) => k.kid);
}

function decryptKey(keyRing: KeyRing, row: SigningKeyRow): JWK {
  let text: string;
  try {
    text = keyRing.decrypt(row.privateJwk, encryptionContext(row.tenantId, row.kid));
  } catch (error) {
    throw new Error(
      `cannot decrypt signing key ${row.kid} of tenant ${row.tenantId}: ${(error as Error).message}. Is ASSENT_SECRET_KEY the key it was created with (or listed in ASSENT_SECRET_KEY_PREVIOUS)?`,
    );
  }
  return JSON.parse(text) as JWK;
}

/**
 * The tenant's private JWKs (with kid, alg, use: "sig") of every key still published, in
 * order: active keys first (newest first, RS256 before ES256), then retired keys whose
 * published_until is still ahead. oidc-provider signs with the first key of an algorithm and
 * publishes the public parts of all of them.
 *
 * @example
 * const jwks = await loadSigningJwks(db, keyRing, tenant.id);
 * new Provider(issuer, { jwks, ... });
 */
export async function loadSigningJwks(
  db: Kysely<IdentityDB>,
  keyRing: KeyRing,
  tenantId: string,
): Promise<{ keys: JWK[] }> {
  const rows = await selectPublishedKeys(db, tenantId);
  return { keys: rows.map((row) => decryptKey(keyRing, row)) };
}

/**
 * Creates the tenant's signing keys if it has no active key (tenants created before signing
 * keys existed, the system tenant). Idempotent and safe to race: callers serialise on the
 * tenant row. Bumps tenants.updated_at when it creates keys.
 */
export async function ensureTenantSigningKeys(
  db: Kysely<IdentityDB>,
  keyRing: KeyRing,
  tenantId: string,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    if (!(await lockTenant(trx, tenantId)))
      throw new ApiError(404, "tenant.not_found", `No tenant with id "${tenantId}".`);
    if ((await countActiveKeys(trx, tenantId)) > 0) return;
    await insertNewKeys(trx, keyRing, tenantId);
    await touchTenant(trx, tenantId);
  });
}

/**
 * Rotates the tenant's signing keys: new RS256 and ES256 keys become active; the active ones
 * retire but stay published for `publishOldFor` seconds (default 24 h; it must exceed the
 * longest token lifetime, or tokens stop verifying early; 0 withdraws them at once, for a
 * compromised key). Bumps tenants.updated_at, so every node's cached provider rebuilds with the
 * new keys, and writes "Rotate signing keys".
 *
 * @example
 * const { added, retired } = await rotateSigningKeys(db, keyRing, tenant.id);
 */
export async function rotateSigningKeys(
  db: Kysely<IdentityDB>,
  keyRing: KeyRing,
  tenantId: string,
  options: { publishOldFor?: number; actor?: AuditActor } = {},
): Promise<{ added: string[]; retired: string[] }> {
  const publishOldFor = options.publishOldFor ?? DEFAULT_PUBLISH_OLD_FOR_SECONDS;
  if (
    !Number.isInteger(publishOldFor) ||
    publishOldFor < 0 ||
    publishOldFor > MAX_PUBLISH_OLD_FOR_SECONDS
  )
    throw new ApiError(
      400,
      "signing_key.invalid_publish_period",
      `publishOldFor must be whole seconds from 0 to ${MAX_PUBLISH_OLD_FOR_SECONDS} (90 days).`,
    );
  return inTransaction(db, async (trx) => {
    if (!(await lockTenant(trx, tenantId)))
      throw new ApiError(404, "tenant.not_found", `No tenant with id "${tenantId}".`);
    const retired = await retireActiveKeys(trx, tenantId, publishOldFor);
    const added = await insertNewKeys(trx, keyRing, tenantId);
    await touchTenant(trx, tenantId);
    await recordAudit(trx, {
      tenantId,
      activity: "Rotate signing keys",
      category: "KeyManagement",
      actor: options.actor ?? { type: "system", name: "assent-identity" },
      targets: [...added, ...retired].map((kid) => ({ type: "SigningKey", id: kid })),
      modifiedProperties: [
        { name: "ActiveKeys", oldValue: retired, newValue: added },
        { name: "RetiredKeysPublishedForSeconds", oldValue: null, newValue: publishOldFor },
      ],
    });
    return { added, retired };
  });
}

/**
 * A string that changes whenever the tenant's published key set changes (a key added, retired,
 * or no longer published), so a cached provider can tell it must rebuild.
 */
export async function tenantKeysVersion(db: Kysely<IdentityDB>, tenantId: string): Promise<string> {
  const v = await selectKeysVersion(db, tenantId);
  return `${v.total}.${v.published}.${v.lastChange?.getTime() ?? 0}`;
}

/** What `assent keys list` shows: never the private key. */
export interface SigningKeyInfo {
  kid: string;
  alg: string;
  status: "active" | "retired";
  createdAt: Date;
  retiredAt: Date | null;
  publishedUntil: Date | null;
  /** Whether the JWKS endpoint lists it now. */
  published: boolean;
}

export async function listSigningKeys(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<SigningKeyInfo[]> {
  const [all, published] = await Promise.all([
    selectAllKeys(db, tenantId),
    selectPublishedKeys(db, tenantId),
  ]);
  const live = new Set(published.map((k) => k.kid));
  return all.map((k) => ({
    kid: k.kid,
    alg: k.alg,
    status: k.status,
    createdAt: k.createdAt,
    retiredAt: k.retiredAt,
    publishedUntil: k.publishedUntil,
    published: live.has(k.kid),
  }));
}

/**
 * The tenant-creation hook that gives every new tenant its signing keys, for
 * `createDirectory({ onTenantCreated: [signingKeysOnTenantCreated(keyRing)] })`.
 */
export function signingKeysOnTenantCreated(
  keyRing: KeyRing,
): (trx: Kysely<IdentityDB>, tenant: { id: string }) => Promise<void> {
  return (trx, tenant) => createTenantSigningKeys(trx, keyRing, tenant.id);
}
