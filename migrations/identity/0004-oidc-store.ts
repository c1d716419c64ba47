import { type Kysely, sql } from "kysely";

/**
 * oidc-provider's artifacts (sessions, interactions, authorization codes, access and refresh
 * tokens, grants, per-tenant cookie keys) in one table keyed by (model, id), plus the sign-in
 * failure counters that throttle password guessing. Nodes are stateless: everything a flow
 * needs between two requests lives here, so a flow started on one node finishes on another.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table identity.oidc_store (
      model text not null,
      id text not null,
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      payload jsonb not null,
      grant_id text,
      uid text,
      user_code text,
      expires_at timestamptz,
      consumed_at timestamptz,
      created_at timestamptz not null default now(),
      primary key (model, id)
    );
    -- Revoking a grant destroys every artifact issued under it (RFC 6749 section 4.1.2).
    create index oidc_store_grant_idx on identity.oidc_store (tenant_id, grant_id)
      where grant_id is not null;
    -- Session.findByUid and the device flow's findByUserCode.
    create index oidc_store_uid_idx on identity.oidc_store (tenant_id, model, uid)
      where uid is not null;
    create index oidc_store_user_code_idx on identity.oidc_store (tenant_id, model, user_code)
      where user_code is not null;
    -- The purge job deletes expired rows in expiry order.
    create index oidc_store_expires_idx on identity.oidc_store (expires_at)
      where expires_at is not null;

    -- Failed sign-ins per account and per client IP within a window; a subject over its limit
    -- is blocked until blocked_until, which always lies in the future by a bounded amount, so a
    -- victim is never locked out for good.
    create table identity.sign_in_throttle (
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      subject text not null,
      failures integer not null default 0,
      window_started_at timestamptz not null default now(),
      blocked_until timestamptz,
      primary key (tenant_id, subject)
    );
  `.execute(db);
}
