import { type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { User } from "./types.ts";

// The public columns. `password_hash` is never among them: only selectCredentials reads it.
export const hasPassword = sql<boolean>`password_hash is not null`.as("has_password");
export const USER_COLUMNS = [
  "id",
  "tenant_id",
  "user_principal_name",
  "display_name",
  "enabled",
  "created_at",
  "updated_at",
] as const;

export interface UserRow {
  id: string;
  tenant_id: string;
  user_principal_name: string;
  display_name: string;
  enabled: boolean;
  has_password: boolean;
  created_at: Date;
  updated_at: Date;
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userPrincipalName: row.user_principal_name,
    displayName: row.display_name,
    enabled: row.enabled,
    hasPassword: row.has_password,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertUser(
  db: Kysely<IdentityDB>,
  values: {
    tenantId: string;
    userPrincipalName: string;
    displayName: string;
    passwordHash: string | null;
  },
): Promise<User> {
  const row = await db
    .insertInto("identity.users")
    .values({
      tenant_id: values.tenantId,
      user_principal_name: values.userPrincipalName,
      display_name: values.displayName,
      password_hash: values.passwordHash,
    })
    .returning([...USER_COLUMNS, hasPassword])
    .executeTakeFirstOrThrow();
  return toUser(row);
}

export async function selectUsers(db: Kysely<IdentityDB>, tenantId: string): Promise<User[]> {
  const rows = await db
    .selectFrom("identity.users")
    .select([...USER_COLUMNS, hasPassword])
    .where("tenant_id", "=", tenantId)
    .orderBy("user_principal_name")
    .execute();
  return rows.map(toUser);
}

/** `id` must be uuid-shaped (the caller checks). */
export async function selectUserById(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<User | undefined> {
  const row = await db
    .selectFrom("identity.users")
    .select([...USER_COLUMNS, hasPassword])
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .executeTakeFirst();
  return row && toUser(row);
}

/** `upn` is in stored (lower-case) form. */
export async function selectUserByUpn(
  db: Kysely<IdentityDB>,
  tenantId: string,
  upn: string,
): Promise<User | undefined> {
  const row = await db
    .selectFrom("identity.users")
    .select([...USER_COLUMNS, hasPassword])
    .where("tenant_id", "=", tenantId)
    .where("user_principal_name", "=", upn)
    .executeTakeFirst();
  return row && toUser(row);
}

/** What sign-in needs, and nothing else reads the hash. */
export async function selectCredentials(
  db: Kysely<IdentityDB>,
  tenantId: string,
  upn: string,
): Promise<{ user: User; passwordHash: string | null } | undefined> {
  const row = await db
    .selectFrom("identity.users")
    .select([...USER_COLUMNS, hasPassword, "password_hash"])
    .where("tenant_id", "=", tenantId)
    .where("user_principal_name", "=", upn)
    .executeTakeFirst();
  return row && { user: toUser(row), passwordHash: row.password_hash };
}

/**
 * Sets `enabled` when it differs, in one conditional UPDATE: undefined means no such user or no
 * change (the caller tells which).
 */
export async function updateUserEnabled(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  enabled: boolean,
): Promise<User | undefined> {
  const row = await db
    .updateTable("identity.users")
    .set({ enabled, updated_at: sql`now()` })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .where("enabled", "=", !enabled)
    .returning([...USER_COLUMNS, hasPassword])
    .executeTakeFirst();
  return row && toUser(row);
}

export async function updateUserPassword(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  passwordHash: string,
): Promise<User | undefined> {
  const row = await db
    .updateTable("identity.users")
    .set({ password_hash: passwordHash, updated_at: sql`now()` })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .returning([...USER_COLUMNS, hasPassword])
    .executeTakeFirst();
  return row && toUser(row);
}
