import { createHmac, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { KeyRing } from "../../../platform/crypto/index.ts";
import type { IdentityDB } from "../../db.ts";
import { insertArtifactIfAbsent, selectArtifact } from "../store-queries.ts";

const MODEL = "CookieKeys";

/**
 * The tenant's cookie secret: 32 random bytes made once, stored encrypted under the key ring
 * (additional data binds it to the tenant) and read by every node, so a cookie signed on one
 * node verifies on another, and a restart does not sign everyone out. Secrets per tenant keep a
 * cookie of one tenant from being accepted by another.
 */
export async function tenantCookieSecret(
  db: Kysely<IdentityDB>,
  keyRing: KeyRing,
  tenantId: string,
): Promise<Buffer> {
  const context = `oidc-cookie-keys:${tenantId}`;
  await insertArtifactIfAbsent(db, {
    tenantId,
    model: MODEL,
    id: tenantId,
    payload: { secret: keyRing.encrypt(randomBytes(32).toString("base64url"), context) },
    grantId: null,
    uid: null,
    userCode: null,
    expiresAt: null,
  });
  const row = await selectArtifact(db, tenantId, MODEL, "id", tenantId);
  const sealed = row?.payload.secret;
  if (typeof sealed !== "string") throw new Error(`cookie secret of tenant ${tenantId} is missing`);
  return Buffer.from(keyRing.decrypt(sealed, context), "base64url");
}

/**
 * A key for one purpose derived from the tenant's secret (HMAC-SHA256 of a label), so cookie
 * signing and CSRF tokens never share a key.
 *
 * @example
 * const csrfKey = deriveKey(secret, "csrf");
 */
export function deriveKey(secret: Buffer, label: string): Buffer {
  return createHmac("sha256", secret).update(label).digest();
}
