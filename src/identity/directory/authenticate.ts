import type { Kysely } from "kysely";
import { dummyPasswordHash, verifyPassword } from "../../platform/crypto/index.ts";
import type { IdentityDB } from "../db.ts";
import { isUuid, parseUserPrincipalName } from "./names.ts";
import type { User } from "./types.ts";
import { selectCredentials } from "./user-queries.ts";

/**
 * Why a password sign-in failed. The sign-in page maps these to Entra's codes: unknown_user
 * AADSTS50034, wrong_password AADSTS50126, disabled AADSTS50057; no_password is an account
 * created without one (Entra has none such; treat it as 50126 toward the user).
 */
export type AuthenticationFailure = "unknown_user" | "wrong_password" | "disabled" | "no_password";

export type AuthenticationResult =
  | { ok: true; user: User }
  | { ok: false; reason: AuthenticationFailure };

/**
 * Checks a user principal name and password in a tenant. Every path verifies one argon2id hash
 * (the dummy one when there is no real one), so response time does not tell whether the account
 * exists. The password is checked before `enabled`, so only someone who knows it learns that an
 * account is disabled.
 *
 * @example
 * const result = await authenticate(db, tenant.id, "Ada@Contoso.com", password);
 * if (!result.ok && result.reason === "disabled") showError(50057);
 */
export async function authenticate(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userPrincipalName: string,
  password: string,
): Promise<AuthenticationResult> {
  const upn = parseUserPrincipalName(userPrincipalName);
  const found = upn && isUuid(tenantId) ? await selectCredentials(db, tenantId, upn) : undefined;
  if (!found?.passwordHash) {
    await verifyPassword(await dummyPasswordHash(), password);
    return { ok: false, reason: found ? "no_password" : "unknown_user" };
  }
  if (!(await verifyPassword(found.passwordHash, password)))
    return { ok: false, reason: "wrong_password" };
  if (!found.user.enabled) return { ok: false, reason: "disabled" };
  return { ok: true, user: found.user };
}
