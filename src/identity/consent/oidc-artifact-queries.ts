import { type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";

/**
 * Deletes what oidc-provider stored for one user's use of one client in the tenant: its grants
 * (model "Grant", payload {accountId, clientId}) and every artifact issued under them (codes,
 * access and refresh tokens carry `grant_id`). Returns how many rows went. The next
 * authorization request starts from the delegated permission grants again.
 */
export async function deleteClientArtifactsOfUser(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
  clientAppId: string,
): Promise<number> {
  const grants = await db
    .selectFrom("identity.oidc_store")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .where("model", "=", "Grant")
    .where(sql<boolean>`payload ->> 'accountId' = ${userId}`)
    .where(sql<boolean>`payload ->> 'clientId' = ${clientAppId}`)
    .execute();
  if (grants.length === 0) return 0;
  const ids = grants.map((g) => g.id);
  const issued = await db
    .deleteFrom("identity.oidc_store")
    .where("tenant_id", "=", tenantId)
    .where("grant_id", "in", ids)
    .executeTakeFirst();
  const own = await db
    .deleteFrom("identity.oidc_store")
    .where("tenant_id", "=", tenantId)
    .where("model", "=", "Grant")
    .where("id", "in", ids)
    .executeTakeFirst();
  return Number(issued.numDeletedRows) + Number(own.numDeletedRows);
}
