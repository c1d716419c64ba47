import { type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";

/**
 * SQL over `identity.oidc_store`, oidc-provider's artifacts. Every query filters on the tenant;
 * lookups ignore expired rows (the purge job deletes them later, lookups must not wait for it).
 */

type Db = Kysely<IdentityDB>;

export interface StoredRow {
  payload: Record<string, unknown>;
  consumedAt: Date | null;
}

export interface UpsertInput {
  tenantId: string;
  model: string;
  id: string;
  payload: Record<string, unknown>;
  grantId: string | null;
  uid: string | null;
  userCode: string | null;
  expiresAt: Date | null;
}

const notExpired = sql<boolean>`(expires_at is null or expires_at > now())`;

export async function upsertArtifact(db: Db, row: UpsertInput): Promise<void> {
  const values = {
    tenant_id: row.tenantId,
    model: row.model,
    id: row.id,
    payload: JSON.stringify(row.payload),
    grant_id: row.grantId,
    uid: row.uid,
    user_code: row.userCode,
    expires_at: row.expiresAt,
  };
  await db
    .insertInto("identity.oidc_store")
    .values(values)
    .onConflict((oc) =>
      oc
        .columns(["model", "id"])
        .doUpdateSet({
          payload: values.payload,
          grant_id: values.grant_id,
          uid: values.uid,
          user_code: values.user_code,
          expires_at: values.expires_at,
        })
        // A row of another tenant with the same (model, id) is never overwritten: ids are
        // random (nanoid, 21+ characters), so a collision means a forged or replayed id.
        .where(sql<boolean>`identity.oidc_store.tenant_id = ${row.tenantId}`),
    )
    .execute();
}

export async function selectArtifact(
  db: Db,
  tenantId: string,
  model: string,
  column: "id" | "uid" | "user_code",
  value: string,
): Promise<StoredRow | undefined> {
  const row = await db
    .selectFrom("identity.oidc_store")
    .select(["payload", "consumed_at"])
    .where("tenant_id", "=", tenantId)
    .where("model", "=", model)
    .where(column, "=", value)
    .where(notExpired)
    .limit(1)
    .executeTakeFirst();
  return row ? { payload: row.payload, consumedAt: row.consumed_at } : undefined;
}

/**
 * Marks the artifact consumed if, and only if, nobody consumed it before: one conditional
 * UPDATE, so under concurrency exactly one caller gets the row back.
 *
 * @returns true for the caller that consumed it, false when it was already consumed or is gone.
 */
export async function consumeArtifact(
  db: Db,
  tenantId: string,
  model: string,
  id: string,
): Promise<boolean> {
  const row = await db
    .updateTable("identity.oidc_store")
    .set({ consumed_at: sql`now()` })
    .where("tenant_id", "=", tenantId)
    .where("model", "=", model)
    .where("id", "=", id)
    .where("consumed_at", "is", null)
    .where(notExpired)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

export async function selectGrantIdOf(
  db: Db,
  tenantId: string,
  model: string,
  id: string,
): Promise<string | null | undefined> {
  const row = await db
    .selectFrom("identity.oidc_store")
    .select("grant_id")
    .where("tenant_id", "=", tenantId)
    .where("model", "=", model)
    .where("id", "=", id)
    .executeTakeFirst();
  return row?.grant_id;
}

export async function deleteArtifact(db: Db, tenantId: string, model: string, id: string) {
  await db
    .deleteFrom("identity.oidc_store")
    .where("tenant_id", "=", tenantId)
    .where("model", "=", model)
    .where("id", "=", id)
    .execute();
}

/** Deletes every artifact issued under the grant, and the grant itself (its grant_id is its id). */
export async function deleteByGrantId(db: Db, tenantId: string, grantId: string): Promise<number> {
  const result = await db
    .deleteFrom("identity.oidc_store")
    .where("tenant_id", "=", tenantId)
    .where("grant_id", "=", grantId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes models of one kind issued under a grant (oidc-provider's revokeByGrantId). */
export async function deleteModelByGrantId(
  db: Db,
  tenantId: string,
  model: string,
  grantId: string,
) {
  await db
    .deleteFrom("identity.oidc_store")
    .where("tenant_id", "=", tenantId)
    .where("model", "=", model)
    .where("grant_id", "=", grantId)
    .execute();
}

/** Deletes up to `limit` expired rows of any tenant; returns how many went. */
export async function deleteExpired(db: Db, limit: number): Promise<number> {
  const result = await sql<{ id: string }>`
    delete from identity.oidc_store
    where (model, id) in (
      select model, id from identity.oidc_store
      where expires_at <= now()
      order by expires_at
      limit ${limit}
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Inserts a row unless one exists: the first writer wins, every node then reads the same row. */
export async function insertArtifactIfAbsent(db: Db, row: UpsertInput): Promise<void> {
  await db
    .insertInto("identity.oidc_store")
    .values({
      tenant_id: row.tenantId,
      model: row.model,
      id: row.id,
      payload: JSON.stringify(row.payload),
      grant_id: row.grantId,
      uid: row.uid,
      user_code: row.userCode,
      expires_at: row.expiresAt,
    })
    .onConflict((oc) => oc.columns(["model", "id"]).doNothing())
    .execute();
}
