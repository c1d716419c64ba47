import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { deleteUserRow, selectUserPage, updateUserDisplayName } from "./directory-admin-queries.ts";
import { decodeNameCursor, type NamePage, type NameQuery, toNamePage } from "./keyset.ts";
import { isUuid, normaliseDisplayName } from "./names.ts";
import type { User } from "./types.ts";
import { getUser } from "./users.ts";

/**
 * One page of the tenant's users, sorted by user principal name; `search` matches the start of
 * the principal name or of the display name or one of its words, case-insensitively.
 *
 * @example
 * const page = await searchUsers(db, tenantId, { search: "ada", top: 50 });
 * const next = await searchUsers(db, tenantId, { search: "ada", top: 50, cursor: page.nextCursor });
 */
export async function searchUsers(
  db: Kysely<IdentityDB>,
  tenantId: string,
  query: NameQuery,
): Promise<NamePage<User>> {
  const afterUpn = query.cursor ? decodeNameCursor(query.cursor, 1)[0] : undefined;
  if (!isUuid(tenantId)) return { value: [], nextCursor: undefined };
  const rows = await selectUserPage(db, tenantId, {
    search: query.search,
    afterUpn,
    limit: query.top + 1,
  });
  return toNamePage(rows, query.top, (u) => [u.userPrincipalName]);
}

function notFound(userId: string): ApiError {
  return new ApiError(404, "user.not_found", `No user with id "${userId}" in this tenant.`);
}

/** Renames a user; writes "Update user" with the old and new display name. */
export async function updateUser(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
  patch: { displayName?: string | undefined },
  actor: AuditActor,
): Promise<User> {
  const displayName =
    patch.displayName === undefined
      ? undefined
      : normaliseDisplayName(patch.displayName, "user.invalid_name", "display name");
  return inTransaction(db, async (trx) => {
    const before = await getUser(trx, tenantId, userId);
    if (!before) throw notFound(userId);
    if (displayName === undefined || displayName === before.displayName) return before;
    const after = await updateUserDisplayName(trx, tenantId, before.id, displayName);
    if (!after) throw notFound(userId);
    await recordAudit(trx, {
      tenantId,
      activity: "Update user",
      category: "UserManagement",
      actor,
      targets: [{ type: "User", id: after.id, displayName: after.userPrincipalName }],
      modifiedProperties: [
        { name: "DisplayName", oldValue: before.displayName, newValue: after.displayName },
      ],
    });
    return after;
  });
}

/**
 * Deletes a user for good: their group memberships, directory roles, app assignments, consents
 * and consent request entries go with them, and their sessions and refresh tokens stop working
 * (the account no longer exists). Writes "Delete user". Disabling (AccountEnabled false) is the
 * reversible alternative.
 */
export async function deleteUser(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
  actor: AuditActor,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const user = await getUser(trx, tenantId, userId);
    if (!user || !(await deleteUserRow(trx, tenantId, user.id))) throw notFound(userId);
    await recordAudit(trx, {
      tenantId,
      activity: "Delete user",
      category: "UserManagement",
      actor,
      targets: [{ type: "User", id: user.id, displayName: user.userPrincipalName }],
      modifiedProperties: [{ name: "DisplayName", oldValue: user.displayName, newValue: null }],
    });
  });
}
