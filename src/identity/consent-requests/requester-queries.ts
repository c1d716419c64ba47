import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { StoredResourceScopes } from "./tables.ts";

/** Queries of requesters (one row per request and user): SQL only. */

export interface RequesterRow {
  requestId: string;
  userId: string;
  userPrincipalName: string;
  displayName: string;
  justification: string;
  scopes: StoredResourceScopes[];
  requestedAt: Date;
  updatedAt: Date;
  withdrawnAt: Date | null;
}

function baseQuery(db: Kysely<IdentityDB>, tenantId: string) {
  return db
    .selectFrom("identity.consent_request_requesters as q")
    .innerJoin("identity.users as u", (join) =>
      join.onRef("u.id", "=", "q.user_id").onRef("u.tenant_id", "=", "q.tenant_id"),
    )
    .select([
      "q.request_id",
      "q.user_id",
      "u.user_principal_name",
      "u.display_name",
      "q.justification",
      "q.scopes",
      "q.requested_at",
      "q.updated_at",
      "q.withdrawn_at",
    ])
    .where("q.tenant_id", "=", tenantId);
}

type Raw = Awaited<ReturnType<ReturnType<typeof baseQuery>["executeTakeFirstOrThrow"]>>;

function toRow(r: Raw): RequesterRow {
  return {
    requestId: r.request_id,
    userId: r.user_id,
    userPrincipalName: r.user_principal_name,
    displayName: r.display_name,
    justification: r.justification,
    scopes: r.scopes,
    requestedAt: r.requested_at,
    updatedAt: r.updated_at,
    withdrawnAt: r.withdrawn_at,
  };
}

/** The requesters of some requests, oldest ask first. */
export async function selectRequesters(
  db: Kysely<IdentityDB>,
  tenantId: string,
  requestIds: readonly string[],
  options: { activeOnly?: boolean } = {},
): Promise<RequesterRow[]> {
  if (requestIds.length === 0) return [];
  let query = baseQuery(db, tenantId)
    .where("q.request_id", "in", [...requestIds])
    .orderBy("q.requested_at")
    .orderBy("q.user_id");
  if (options.activeOnly) query = query.where("q.withdrawn_at", "is", null);
  return (await query.execute()).map(toRow);
}

export async function selectRequester(
  db: Kysely<IdentityDB>,
  tenantId: string,
  requestId: string,
  userId: string,
): Promise<RequesterRow | undefined> {
  const row = await baseQuery(db, tenantId)
    .where("q.request_id", "=", requestId)
    .where("q.user_id", "=", userId)
    .executeTakeFirst();
  return row ? toRow(row) : undefined;
}

/**
 * Creates the user's entry or replaces it (justification, merged scopes, no longer withdrawn).
 * ON CONFLICT on the primary key: a double submit never fails.
 */
export async function upsertRequester(
  trx: Kysely<IdentityDB>,
  values: {
    tenantId: string;
    requestId: string;
    userId: string;
    justification: string;
    scopes: StoredResourceScopes[];
    now: Date;
  },
): Promise<void> {
  const scopes = JSON.stringify(values.scopes);
  await trx
    .insertInto("identity.consent_request_requesters")
    .values({
      tenant_id: values.tenantId,
      request_id: values.requestId,
      user_id: values.userId,
      justification: values.justification,
      scopes,
      requested_at: values.now,
      updated_at: values.now,
    })
    .onConflict((oc) =>
      oc.columns(["request_id", "user_id"]).doUpdateSet({
        justification: values.justification,
        scopes,
        updated_at: values.now,
        withdrawn_at: null,
      }),
    )
    .execute();
}

/** Withdraws the user's entry; false when it was not active. */
export async function withdrawRequester(
  trx: Kysely<IdentityDB>,
  tenantId: string,
  requestId: string,
  userId: string,
  now: Date,
): Promise<boolean> {
  const result = await trx
    .updateTable("identity.consent_request_requesters")
    .set({ withdrawn_at: now, updated_at: now })
    .where("tenant_id", "=", tenantId)
    .where("request_id", "=", requestId)
    .where("user_id", "=", userId)
    .where("withdrawn_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
