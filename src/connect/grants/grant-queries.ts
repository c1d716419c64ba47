import { type Kysely, sql } from "kysely";
import { isUuid } from "../../platform/ids.ts";
import type { ConnectDB, GrantStatus, ProviderName } from "../tables.ts";
import { GRANT_COLUMNS, type Grant } from "./grant-view.ts";

export interface GrantTokens {
  accessTokenEnc: string;
  accessTokenExpiresAt: Date | null;
  refreshTokenEnc: string | null;
  idTokenEnc: string | null;
}

export interface GrantUpsert extends GrantTokens {
  applicationId: string;
  provider: ProviderName;
  email: string;
  name: string | null;
  providerUserId: string | null;
  providerTenant: string | null;
  scope: string[];
  ip: string | null;
  userAgent: string | null;
}

/**
 * One grant per (application, provider, email): inserts it, or re-authenticates the existing one
 * in place (same id, new tokens, valid again). `created` tells which, from `xmax = 0` (the row
 * was inserted by this statement) — one statement, so two concurrent callbacks cannot both
 * create.
 */
export async function upsertGrant(
  db: Kysely<ConnectDB>,
  g: GrantUpsert,
): Promise<{ grant: Grant; created: boolean }> {
  const values = {
    application_id: g.applicationId,
    provider: g.provider,
    email: g.email.toLowerCase(),
    name: g.name,
    provider_user_id: g.providerUserId,
    provider_tenant: g.providerTenant,
    grant_status: "valid" as const,
    scope: JSON.stringify(g.scope),
    access_token_enc: g.accessTokenEnc,
    access_token_expires_at: g.accessTokenExpiresAt,
    refresh_token_enc: g.refreshTokenEnc,
    id_token_enc: g.idTokenEnc,
    ip: g.ip,
    user_agent: g.userAgent,
  };
  const row = await db
    .insertInto("connect.grants")
    .values(values)
    .onConflict((oc) =>
      oc.constraint("grants_application_provider_email_key").doUpdateSet({
        ...values,
        // Keep the old refresh token when the provider did not send a new one.
        refresh_token_enc: sql`coalesce(excluded.refresh_token_enc, connect.grants.refresh_token_enc)`,
        refreshing_until: null,
        updated_at: new Date(),
      }),
    )
    .returning([...GRANT_COLUMNS, sql<boolean>`(xmax = 0)`.as("inserted")])
    .executeTakeFirstOrThrow();
  const { inserted, ...grant } = row;
  return { grant, created: inserted };
}

export async function findGrant(
  db: Kysely<ConnectDB>,
  applicationId: string,
  id: string,
): Promise<Grant | undefined> {
  if (!isUuid(id)) return undefined;
  return db
    .selectFrom("connect.grants")
    .select(GRANT_COLUMNS)
    .where("application_id", "=", applicationId)
    .where("id", "=", id)
    .executeTakeFirst();
}

export interface GrantFilter {
  limit: number;
  offset: number;
  email?: string | undefined;
  provider?: ProviderName | undefined;
  grantStatus?: GrantStatus | undefined;
}

/** An application's grants, newest first, with Nylas's limit/offset paging. */
export async function listGrants(
  db: Kysely<ConnectDB>,
  applicationId: string,
  f: GrantFilter,
): Promise<Grant[]> {
  let q = db
    .selectFrom("connect.grants")
    .select(GRANT_COLUMNS)
    .where("application_id", "=", applicationId);
  if (f.email) q = q.where("email", "=", f.email.toLowerCase());
  if (f.provider) q = q.where("provider", "=", f.provider);
  if (f.grantStatus) q = q.where("grant_status", "=", f.grantStatus);
  return q.orderBy("created_at", "desc").orderBy("id").limit(f.limit).offset(f.offset).execute();
}

export async function updateGrantSettings(
  db: Kysely<ConnectDB>,
  applicationId: string,
  id: string,
  changes: { settings?: Record<string, unknown>; scope?: string[] },
): Promise<Grant | undefined> {
  return db
    .updateTable("connect.grants")
    .set({
      ...(changes.settings ? { settings: JSON.stringify(changes.settings) } : {}),
      ...(changes.scope ? { scope: JSON.stringify(changes.scope) } : {}),
      updated_at: new Date(),
    })
    .where("application_id", "=", applicationId)
    .where("id", "=", id)
    .returning(GRANT_COLUMNS)
    .executeTakeFirst();
}

export async function deleteGrantRow(
  db: Kysely<ConnectDB>,
  applicationId: string,
  id: string,
): Promise<Grant | undefined> {
  return db
    .deleteFrom("connect.grants")
    .where("application_id", "=", applicationId)
    .where("id", "=", id)
    .returning(GRANT_COLUMNS)
    .executeTakeFirst();
}

/**
 * Takes the grant's refresh lease for `ms`: provider refresh tokens rotate, so only one node
 * may refresh a grant at a time. One conditional UPDATE: exactly one concurrent caller wins.
 */
export async function claimRefresh(
  db: Kysely<ConnectDB>,
  grantId: string,
  ms: number,
): Promise<boolean> {
  const row = await db
    .updateTable("connect.grants")
    .set({ refreshing_until: sql`now() + ${`${ms} milliseconds`}::interval` })
    .where("id", "=", grantId)
    .where("grant_status", "=", "valid")
    .where((eb) =>
      eb.or([eb("refreshing_until", "is", null), eb("refreshing_until", "<", sql<Date>`now()`)]),
    )
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/** Stores refreshed tokens and releases the lease. */
export async function storeRefreshedTokens(
  db: Kysely<ConnectDB>,
  grantId: string,
  t: GrantTokens,
): Promise<Grant | undefined> {
  return db
    .updateTable("connect.grants")
    .set({
      access_token_enc: t.accessTokenEnc,
      access_token_expires_at: t.accessTokenExpiresAt,
      ...(t.refreshTokenEnc ? { refresh_token_enc: t.refreshTokenEnc } : {}),
      ...(t.idTokenEnc ? { id_token_enc: t.idTokenEnc } : {}),
      refreshing_until: null,
    })
    .where("id", "=", grantId)
    .returning(GRANT_COLUMNS)
    .executeTakeFirst();
}

export async function releaseRefresh(db: Kysely<ConnectDB>, grantId: string): Promise<void> {
  await db
    .updateTable("connect.grants")
    .set({ refreshing_until: null })
    .where("id", "=", grantId)
    .execute();
}

/** Marks a grant invalid; returns it only when this call changed it (so `grant.expired` fires once). */
export async function markGrantInvalid(
  db: Kysely<ConnectDB>,
  grantId: string,
): Promise<Grant | undefined> {
  return db
    .updateTable("connect.grants")
    .set({ grant_status: "invalid", refreshing_until: null, updated_at: new Date() })
    .where("id", "=", grantId)
    .where("grant_status", "=", "valid")
    .returning(GRANT_COLUMNS)
    .executeTakeFirst();
}

/** Sets the hash of the Connect refresh token handed to the application for this grant. */
export async function setAppRefreshToken(
  db: Kysely<ConnectDB>,
  grantId: string,
  hash: string,
): Promise<void> {
  await db
    .updateTable("connect.grants")
    .set({ app_refresh_token_hash: hash })
    .where("id", "=", grantId)
    .execute();
}

export async function grantByAppRefreshToken(
  db: Kysely<ConnectDB>,
  applicationId: string,
  hash: string,
): Promise<Grant | undefined> {
  return db
    .selectFrom("connect.grants")
    .select(GRANT_COLUMNS)
    .where("application_id", "=", applicationId)
    .where("app_refresh_token_hash", "=", hash)
    .executeTakeFirst();
}
