import { type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";
import { type RequestRow, toRequestRow } from "./request-queries.ts";
import type { ConsentRequestStatus } from "./types.ts";

/** The keyset listing of requests: SQL only. */

export type ListSort = "created_desc" | "created_asc" | "requesters_desc";

/** The last row of the previous page, in the sort's terms. */
export interface ListKeyset {
  createdAt: Date;
  requesterCount: number;
  id: string;
}

export interface ListFilter {
  status?: ConsentRequestStatus | undefined;
  /** Pending and not yet past its expiry at `now` ("My pending"). */
  activeAt?: Date | undefined;
  /** Client application object id. */
  applicationId?: string | undefined;
  createdFrom?: Date | undefined;
  createdTo?: Date | undefined;
}

export async function selectRequestPage(
  db: Kysely<IdentityDB>,
  tenantId: string,
  filter: ListFilter,
  sort: ListSort,
  after: ListKeyset | undefined,
  limit: number,
): Promise<RequestRow[]> {
  let query = db
    .selectFrom("identity.consent_requests")
    .selectAll()
    .where("tenant_id", "=", tenantId);
  if (filter.status) query = query.where("status", "=", filter.status);
  if (filter.activeAt)
    query = query.where("status", "=", "pending").where("expires_at", ">", filter.activeAt);
  if (filter.applicationId) query = query.where("client_application_id", "=", filter.applicationId);
  if (filter.createdFrom) query = query.where("created_at", ">=", filter.createdFrom);
  if (filter.createdTo) query = query.where("created_at", "<", filter.createdTo);
  if (after) {
    const at = after.createdAt.toISOString();
    if (sort === "created_asc")
      query = query.where(sql<boolean>`(created_at, id) > (${at}::timestamptz, ${after.id}::uuid)`);
    else if (sort === "created_desc")
      query = query.where(sql<boolean>`(created_at, id) < (${at}::timestamptz, ${after.id}::uuid)`);
    else
      query = query.where(
        sql<boolean>`(requester_count, created_at, id) < (${after.requesterCount}::int, ${at}::timestamptz, ${after.id}::uuid)`,
      );
  }
  const direction = sort === "created_asc" ? "asc" : "desc";
  if (sort === "requesters_desc") query = query.orderBy("requester_count", "desc");
  const rows = await query
    .orderBy("created_at", direction)
    .orderBy("id", direction)
    .limit(limit)
    .execute();
  return rows.map(toRequestRow);
}
