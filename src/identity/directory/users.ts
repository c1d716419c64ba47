import type { Kysely } from "kysely";
import { hashPassword, passwordWeakness } from "../../platform/crypto/index.ts";
import { inTransaction, isUniqueViolation } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import {
  isUuid,
  normaliseDisplayName,
  normaliseUserPrincipalName,
  parseUserPrincipalName,
} from "./names.ts";
import { selectTenantById } from "./tenant-queries.ts";
import type { User } from "./types.ts";
import {
  insertUser,
  selectUserById,
  selectUserByUpn,
  selectUsers,
  updateUserEnabled,
  updateUserPassword,
} from "./user-queries.ts";

export interface NewUser {
  userPrincipalName: string;
  displayName: string;
  /** Omit for an account that cannot sign in with a password until one is set. */
  password?: string | undefined;
}

/** Refuses a weak password (400) and returns its argon2id hash otherwise. */
async function acceptPassword(password: string, upn: string, displayName: string) {
  const localPart = upn.slice(0, upn.lastIndexOf("@"));
  const weakness = passwordWeakness(password, [localPart, displayName]);
  if (weakness)
    throw new ApiError(400, "user.weak_password", `The password is refused: it ${weakness}.`);
  return hashPassword(password);
}

/**
 * Creates a user and its "Add user" audit event. The user principal name is stored lower-cased
 * and is unique in the tenant (constraint users_tenant_upn_key); its domain need not be verified.
 */
export async function createUser(
  db: Kysely<IdentityDB>,
  tenantId: string,
  input: NewUser,
  actor: AuditActor,
): Promise<User> {
  const upn = normaliseUserPrincipalName(input.userPrincipalName);
  const displayName = normaliseDisplayName(input.displayName, "user.invalid_name", "display name");
  // Hashed before the transaction: argon2id takes tens of milliseconds, locks need not wait.
  const passwordHash =
    input.password === undefined ? null : await acceptPassword(input.password, upn, displayName);
  try {
    return await inTransaction(db, async (trx) => {
      const tenant = isUuid(tenantId) ? await selectTenantById(trx, tenantId) : undefined;
      if (!tenant) throw new ApiError(404, "tenant.not_found", `No tenant with id "${tenantId}".`);
      const user = await insertUser(trx, {
        tenantId: tenant.id,
        userPrincipalName: upn,
        displayName,
        passwordHash,
      });
      await recordAudit(trx, {
        tenantId: tenant.id,
        activity: "Add user",
        category: "UserManagement",
        actor,
        targets: [{ type: "User", id: user.id, displayName: upn }],
        modifiedProperties: [
          { name: "DisplayName", oldValue: null, newValue: displayName },
          { name: "AccountEnabled", oldValue: null, newValue: true },
        ],
      });
      return user;
    });
  } catch (error) {
    if (isUniqueViolation(error, "users_tenant_upn_key"))
      throw new ApiError(
        409,
        "user.duplicate_upn",
        `A user "${upn}" already exists in this tenant. User principal names compare case-insensitively.`,
      );
    throw error;
  }
}

export async function listUsers(db: Kysely<IdentityDB>, tenantId: string): Promise<User[]> {
  return isUuid(tenantId) ? selectUsers(db, tenantId) : [];
}

export async function getUser(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<User | undefined> {
  return isUuid(tenantId) && isUuid(id) ? selectUserById(db, tenantId, id) : undefined;
}

/** The user with this principal name in any case; undefined when unknown or malformed. */
export async function findUserByUpn(
  db: Kysely<IdentityDB>,
  tenantId: string,
  upn: string,
): Promise<User | undefined> {
  const stored = parseUserPrincipalName(upn);
  return stored && isUuid(tenantId) ? selectUserByUpn(db, tenantId, stored) : undefined;
}

/** The user named by id or principal name; a miss is a 404 ApiError. */
export async function requireUser(
  db: Kysely<IdentityDB>,
  tenantId: string,
  ref: string,
): Promise<User> {
  const user = isUuid(ref.trim())
    ? await getUser(db, tenantId, ref.trim())
    : await findUserByUpn(db, tenantId, ref);
  if (!user) throw new ApiError(404, "user.not_found", `No user "${ref}" in this tenant.`);
  return user;
}

async function setEnabled(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
  enabled: boolean,
  actor: AuditActor,
): Promise<User> {
  return inTransaction(db, async (trx) => {
    const changed =
      isUuid(tenantId) && isUuid(userId)
        ? await updateUserEnabled(trx, tenantId, userId, enabled)
        : undefined;
    if (!changed) {
      // Either no such user, or it already is as asked: the latter is a success with no event.
      const user = await getUser(trx, tenantId, userId);
      if (!user)
        throw new ApiError(404, "user.not_found", `No user with id "${userId}" in this tenant.`);
      return user;
    }
    await recordAudit(trx, {
      tenantId,
      activity: enabled ? "Enable account" : "Disable account",
      category: "UserManagement",
      actor,
      targets: [{ type: "User", id: changed.id, displayName: changed.userPrincipalName }],
      modifiedProperties: [{ name: "AccountEnabled", oldValue: !enabled, newValue: enabled }],
    });
    return changed;
  });
}

/** Blocks sign-in (Entra AADSTS50057); already-disabled users are returned unchanged. */
export function disableUser(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
  actor: AuditActor,
): Promise<User> {
  return setEnabled(db, tenantId, userId, false, actor);
}

export function enableUser(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
  actor: AuditActor,
): Promise<User> {
  return setEnabled(db, tenantId, userId, true, actor);
}

/** Sets (or replaces) the user's password after refusing weak ones; writes "Reset user password". */
export async function setUserPassword(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
  password: string,
  actor: AuditActor,
): Promise<User> {
  const user = await getUser(db, tenantId, userId);
  if (!user)
    throw new ApiError(404, "user.not_found", `No user with id "${userId}" in this tenant.`);
  const passwordHash = await acceptPassword(password, user.userPrincipalName, user.displayName);
  return inTransaction(db, async (trx) => {
    const updated = await updateUserPassword(trx, tenantId, userId, passwordHash);
    if (!updated)
      throw new ApiError(404, "user.not_found", `No user with id "${userId}" in this tenant.`);
    await recordAudit(trx, {
      tenantId,
      activity: "Reset user password",
      category: "UserManagement",
      actor,
      targets: [{ type: "User", id: updated.id, displayName: updated.userPrincipalName }],
    });
    return updated;
  });
}
