import type { Kysely } from "kysely";
import { generateSecret, hashSecret, verifySecret } from "../../platform/crypto/index.ts";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { selectApplicationById } from "./application-queries.ts";
import { isUuid } from "./names.ts";
import { insertSecret, selectSecretHashes, selectSecrets } from "./secret-queries.ts";
import type { AddedClientSecret, ClientSecretInfo } from "./types.ts";

/** Entra's portal default lifetime of a client secret. */
export const DEFAULT_SECRET_LIFETIME_DAYS = 180;
/** Entra's portal maximum (24 months): long-lived secrets leak; rotate instead. */
export const MAX_SECRET_LIFETIME_DAYS = 730;
const DAY_MS = 86_400_000;
// How many leading characters identify a secret in listings (Entra shows three).
const HINT_LENGTH = 3;

/**
 * Adds a client secret and returns it, the only time its plaintext is available: only its
 * SHA-256 hash is stored (the secret has 256 bits of entropy, so a slow hash buys nothing).
 * An application may hold several secrets at once, so a new one can be rolled out before the
 * old one expires.
 *
 * @example
 * const { secret, expiresAt } = await addClientSecret(db, app.tenantId, app.id,
 *   { displayName: "CI", expiresInDays: 90 }, CLI_ACTOR);
 */
export async function addClientSecret(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  input: { displayName?: string | undefined; expiresInDays?: number | undefined },
  actor: AuditActor,
): Promise<AddedClientSecret> {
  const days = input.expiresInDays ?? DEFAULT_SECRET_LIFETIME_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_SECRET_LIFETIME_DAYS)
    throw new ApiError(
      400,
      "application.invalid_secret_lifetime",
      `A client secret must expire in 1 to ${MAX_SECRET_LIFETIME_DAYS} days (whole days; default ${DEFAULT_SECRET_LIFETIME_DAYS}).`,
    );
  const displayName = (input.displayName ?? "").trim();
  if (displayName.length > 256)
    throw new ApiError(
      400,
      "application.invalid_secret_name",
      "A secret's description must be at most 256 characters long.",
    );
  const secret = generateSecret();
  return inTransaction(db, async (trx) => {
    const application = isUuid(applicationId)
      ? await selectApplicationById(trx, applicationId)
      : undefined;
    if (!application || application.tenantId !== tenantId)
      throw new ApiError(
        404,
        "application.not_found",
        `No application "${applicationId}" is registered in this tenant.`,
      );
    const info = await insertSecret(trx, {
      tenantId,
      applicationId: application.id,
      displayName,
      hint: secret.slice(0, HINT_LENGTH),
      secretHash: hashSecret(secret),
      expiresAt: new Date(Date.now() + days * DAY_MS),
    });
    await recordAudit(trx, {
      tenantId,
      activity: "Update application – Certificates and secrets management",
      category: "ApplicationManagement",
      actor,
      targets: [{ type: "Application", id: application.id, displayName: application.displayName }],
      modifiedProperties: [
        {
          name: "KeyDescription",
          oldValue: null,
          newValue: {
            keyId: info.id,
            displayName,
            hint: info.hint,
            endDateTime: info.expiresAt.toISOString(),
          },
        },
      ],
    });
    return { ...info, secret };
  });
}

/** An application's secrets: description, hint and expiry only. */
export async function listClientSecrets(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
): Promise<ClientSecretInfo[]> {
  if (!isUuid(tenantId) || !isUuid(applicationId)) return [];
  return selectSecrets(db, tenantId, applicationId);
}

// Compared against when an application has no secret, so the answer takes as long either way.
const NO_SECRET_HASH = hashSecret("assent-no-client-secret");

/** What a presented client secret is checked against: the stored hash and its expiry. */
export interface StoredSecretHash {
  secretHash: string;
  expiresAt: Date;
}

/**
 * The application's secret hashes (the OAuth layer caches them per node, checked against the
 * database's cache versions on every request; see src/identity/oauth/provider/catalog.ts).
 */
export async function clientSecretHashes(
  db: Kysely<IdentityDB>,
  applicationId: string,
): Promise<StoredSecretHash[]> {
  return isUuid(applicationId) ? selectSecretHashes(db, applicationId) : [];
}

/**
 * Checks a presented client secret against an application's stored secrets, in constant time
 * per secret. "expired" only when the presented secret is one of them and it has expired;
 * anything else that does not match is "invalid".
 *
 * @example
 * matchClientSecret(await clientSecretHashes(db, app.id), presented); // "valid"
 */
export function matchClientSecret(
  secrets: readonly StoredSecretHash[],
  presented: string,
  now: Date = new Date(),
): "valid" | "invalid" | "expired" {
  if (secrets.length === 0) {
    verifySecret(presented, NO_SECRET_HASH);
    return "invalid";
  }
  let result: "valid" | "invalid" | "expired" = "invalid";
  // Every hash is compared (no early exit), so timing does not reveal which secret matched.
  for (const { secretHash, expiresAt } of secrets) {
    if (!verifySecret(presented, secretHash)) continue;
    if (expiresAt.getTime() > now.getTime()) result = "valid";
    else if (result === "invalid") result = "expired";
  }
  return result;
}

/**
 * Checks a presented client secret against every secret of the application (see
 * matchClientSecret).
 *
 * @example
 * if ((await checkClientSecret(db, app.id, presented)) !== "valid") throw invalidClient();
 */
export async function checkClientSecret(
  db: Kysely<IdentityDB>,
  applicationId: string,
  presented: string,
  now: Date = new Date(),
): Promise<"valid" | "invalid" | "expired"> {
  return matchClientSecret(await clientSecretHashes(db, applicationId), presented, now);
}
