import { type Kysely, sql } from "kysely";

/**
 * The sign-in log, per-tenant log retention, and the indexes the audit log's queries and chain
 * verification need.
 *
 * `sign_in_events` is append-only and partitioned by month on `created_at` (declarative range
 * partitioning; PGlite is PostgreSQL and supports it too, so there is one code path): purging
 * drops whole months instead of deleting rows. Monthly partitions are created ahead by the
 * retention job and on demand by the recorder (src/identity/activity/partitions.ts); the
 * default partition catches an event whose month has none yet, so recording never fails for
 * want of a partition. This migration creates the current and the next month.
 *
 * No foreign key to tenants: the write path is a hot, append-only batch insert, and a tenant's
 * rows go with retention; every query still filters on tenant_id.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table identity.sign_in_events (
      id uuid not null default gen_random_uuid(),
      tenant_id uuid not null,
      -- Milliseconds: timestamps come from JS Dates, and keyset cursors carry them exactly.
      created_at timestamptz(3) not null default now(),
      -- The request id shown in the error page's troubleshooting block.
      request_id text not null,
      -- Client-supplied (client-request-id), so not guaranteed unique or accurate (Entra says so).
      correlation_id text,
      event_type text not null constraint sign_in_events_event_type_check
        check (event_type in ('interactiveUser', 'nonInteractiveUser', 'servicePrincipal')),
      is_interactive boolean not null,
      user_id uuid,
      user_principal_name text
        constraint sign_in_events_upn_check check (user_principal_name = lower(user_principal_name)),
      user_display_name text,
      service_principal_id uuid,
      service_principal_name text,
      -- Text, not uuid: a failed sign-in may name a client id that is not one.
      app_id text,
      app_display_name text,
      resource_id text,
      resource_display_name text,
      ip_address text,
      user_agent text,
      client_app_used text,
      status text not null constraint sign_in_events_status_check
        check (status in ('success', 'failure', 'interrupted')),
      -- Entra-compatible code (AADSTS number); 0 is success, as in Graph's signInStatus.
      error_code integer not null default 0,
      failure_reason text,
      additional_details jsonb not null default '{}',
      -- A partitioned table's keys must include the partition key.
      primary key (id, created_at)
    ) partition by range (created_at);

    create table identity.sign_in_events_default partition of identity.sign_in_events default;

    -- Newest first within a tenant, and keyset pagination on (created_at, id).
    create index sign_in_events_tenant_time_idx
      on identity.sign_in_events (tenant_id, created_at desc, id desc);
    -- "This user around this time": UPN prefix (LIKE 'ada@%') then the time window.
    create index sign_in_events_tenant_upn_time_idx
      on identity.sign_in_events (tenant_id, user_principal_name text_pattern_ops, created_at desc);
    -- Partial where the column is often empty (service principal sign-ins have no user, many
    -- clients send no correlation id): smaller, and cheaper on the write path.
    create index sign_in_events_tenant_user_time_idx
      on identity.sign_in_events (tenant_id, user_id, created_at desc) where user_id is not null;
    create index sign_in_events_tenant_request_idx
      on identity.sign_in_events (tenant_id, request_id);
    create index sign_in_events_tenant_correlation_idx
      on identity.sign_in_events (tenant_id, correlation_id) where correlation_id is not null;

    -- Log retention per tenant; a tenant without a row keeps 90 days (DEFAULT_RETENTION_DAYS).
    create table identity.tenant_activity_settings (
      tenant_id uuid primary key references identity.tenants(id) on delete cascade,
      -- Ten years at most: retention is for logs, not an archive.
      retention_days integer not null constraint tenant_activity_settings_retention_check
        check (retention_days between 1 and 3650),
      updated_at timestamptz not null default now()
    );

    -- Audit queries by correlation id and by target, and chain verification in seq order.
    create index audit_events_tenant_seq_idx on identity.audit_events (tenant_id, seq);
    create index audit_events_tenant_correlation_idx
      on identity.audit_events (tenant_id, correlation_id);
    create index audit_events_targets_idx
      on identity.audit_events using gin (targets jsonb_path_ops);
  `.execute(db);

  const now = new Date();
  for (const offset of [0, 1]) {
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
    const to = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1));
    const name = `sign_in_events_p${from.getUTCFullYear()}_${String(from.getUTCMonth() + 1).padStart(2, "0")}`;
    await sql`
      create table ${sql.id("identity", name)} partition of identity.sign_in_events
      for values from (${sql.lit(from.toISOString())}) to (${sql.lit(to.toISOString())})`.execute(
      db,
    );
  }
}
