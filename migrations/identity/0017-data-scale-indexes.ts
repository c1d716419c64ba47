import { type Kysely, sql } from "kysely";

/**
 * Indexes two reads needed at scale (bench/data-scale, issue 10: 1,000,000 delegated grants,
 * 100,000 admin consent requests).
 *
 * The consent decision's grant lookup (consent/grant-queries.ts `selectGrantsForUser`: the
 * client's grants that are not per-user, or are this user's). 0005's key index leads with
 * (tenant, client) only, so for an app 50,000 users consented to, the lookup read all 50,000
 * grants: 27 ms, on every first sign-in of a user to that app. With one index per arm of the OR
 * it reads only the rows it returns (0.1 ms).
 *
 * The admin API's list of admin consent requests (consent-requests/list-queries.ts). 0011's
 * list index leads with the status, so "All" newest first, and every "most requesters first"
 * order, sorted all the tenant's requests for each page (30-50 ms at 100,000). Each index below
 * matches one keyset order exactly (the cursor's row comparison becomes the index condition), so
 * a page reads its 26 index entries however deep it is. "My pending" newest first keeps using
 * 0011's list index.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- A user's own grants to one client.
    create index oauth2_permission_grants_client_principal_idx
      on identity.oauth2_permission_grants (tenant_id, client_service_principal_id, principal_id);
    -- The client's tenant-wide and group grants.
    create index oauth2_permission_grants_client_shared_idx
      on identity.oauth2_permission_grants (tenant_id, client_service_principal_id)
      where consent_type <> 'Principal';

    -- Requests: "All", newest first.
    create index consent_requests_created_idx
      on identity.consent_requests (tenant_id, created_at desc, id desc);
    -- "All", most requesters first.
    create index consent_requests_requesters_idx
      on identity.consent_requests (tenant_id, requester_count desc, created_at desc, id desc);
    -- "My pending", most requesters first.
    create index consent_requests_pending_requesters_idx
      on identity.consent_requests (tenant_id, requester_count desc, created_at desc, id desc)
      where status = 'pending';
  `.execute(db);
}
