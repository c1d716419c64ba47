import { type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";
import { type RequestRow, toRequestRow } from "./request-queries.ts";
import type { StoredResourceScopes } from "./tables.ts";
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

/** A listed request with the distinct asks of its requesters. */
export interface ListedRequestRow {
  request: RequestRow;
  /** See `DISTINCT_ASKS`; `mergeResourceScopes(...asks)` is what the request asks. */
  asks: StoredResourceScopes[][];
}

/**
 * The distinct asks (scope lists) of the requesters of request `p`, each at its first
 * appearance in (requested_at, user_id) order: of the active requesters, or of every one when
 * all withdrew (a withdrawn request keeps showing what was asked). Merging these equals merging
 * every requester's ask in that order (a repeated list adds nothing, `mergeResourceScopes`
 * keeps first-seen order), and a request with thousands of requesters who asked the same sends
 * one small value instead of thousands of rows with their users. The lists are told apart by
 * their text in byte order (jsonb's own ordering is several times slower to sort); a list that
 * compared as different text though equal jsonb would only be merged twice, to the same result.
 */
const DISTINCT_ASKS = sql<StoredResourceScopes[][]>`(
  select coalesce(jsonb_agg(d.scopes order by d.requested_at, d.user_id), '[]'::jsonb)
  from (
    select distinct on (q.scopes::text collate "C") q.scopes, q.requested_at, q.user_id
    from identity.consent_request_requesters q
    where q.request_id = p.id and q.tenant_id = p.tenant_id
      and (q.withdrawn_at is null or not exists (
        select 1 from identity.consent_request_requesters a
        where a.request_id = p.id and a.withdrawn_at is null))
    order by q.scopes::text collate "C", q.requested_at, q.user_id
  ) d
)`;

/**
 * One page of the listing with each request's distinct asks, in one statement. The merge is a
 * scalar subquery of the select list: PostgreSQL computes it for the rows the LIMIT keeps only
 * (after the keyset index scan, or above a sort: expensive outputs are postponed past it).
 * Indexes: migrations 0011 and 0017.
 */
export async function selectListedRequests(
  db: Kysely<IdentityDB>,
  tenantId: string,
  filter: ListFilter,
  sort: ListSort,
  after: ListKeyset | undefined,
  limit: number,
): Promise<ListedRequestRow[]> {
  let query = db
    .selectFrom("identity.consent_requests as p")
    .selectAll("p")
    .select(DISTINCT_ASKS.as("asks"))
    .where("p.tenant_id", "=", tenantId);
  if (filter.status) query = query.where("p.status", "=", filter.status);
  if (filter.activeAt)
    query = query.where("p.status", "=", "pending").where("p.expires_at", ">", filter.activeAt);
  if (filter.applicationId)
    query = query.where("p.client_application_id", "=", filter.applicationId);
  if (filter.createdFrom) query = query.where("p.created_at", ">=", filter.createdFrom);
  if (filter.createdTo) query = query.where("p.created_at", "<", filter.createdTo);
  if (after) {
    const at = after.createdAt.toISOString();
    if (sort === "created_asc")
      query = query.where(
        sql<boolean>`(p.created_at, p.id) > (${at}::timestamptz, ${after.id}::uuid)`,
      );
    else if (sort === "created_desc")
      query = query.where(
        sql<boolean>`(p.created_at, p.id) < (${at}::timestamptz, ${after.id}::uuid)`,
      );
    else
      query = query.where(
        sql<boolean>`(p.requester_count, p.created_at, p.id) < (${after.requesterCount}::int, ${at}::timestamptz, ${after.id}::uuid)`,
      );
  }
  const direction = sort === "created_asc" ? "asc" : "desc";
  if (sort === "requesters_desc") query = query.orderBy("p.requester_count", "desc");
  const rows = await query
    .orderBy("p.created_at", direction)
    .orderBy("p.id", direction)
    .limit(limit)
    .execute();
  return rows.map(({ asks, ...row }) => ({ request: toRequestRow(row), asks }));
}
