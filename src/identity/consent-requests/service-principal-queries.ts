import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";

/** The `blocked` flag of service principals (migration 0005), owned by this workflow: SQL only. */

export interface SpState {
  id: string;
  applicationId: string;
  blocked: boolean;
}

export async function selectSpState(
  db: Kysely<IdentityDB>,
  tenantId: string,
  by: { applicationId: string } | { id: string },
  options: { forUpdate?: boolean } = {},
): Promise<SpState | undefined> {
  let query = db
    .selectFrom("identity.service_principals")
    .select(["id", "application_id", "blocked"])
    .where("tenant_id", "=", tenantId);
  query =
    "id" in by
      ? query.where("id", "=", by.id)
      : query.where("application_id", "=", by.applicationId);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row ? { id: row.id, applicationId: row.application_id, blocked: row.blocked } : undefined;
}

/** Sets the flag; false when it already had that value (nothing changed). */
export async function setBlocked(
  trx: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  blocked: boolean,
  now: Date,
): Promise<boolean> {
  const result = await trx
    .updateTable("identity.service_principals")
    .set({ blocked, updated_at: now })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .where("blocked", "=", !blocked)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
