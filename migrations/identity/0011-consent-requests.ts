import { type Kysely, sql } from "kysely";

/**
 * The admin consent workflow (Entra "admin consent requests"): each tenant's request policy
 * (reviewers, notifications, lifetime; whether users may ask at all stays
 * consent_settings.admin_consent_workflow_enabled), the requests (one OPEN request per tenant
 * and client app, enforced by a partial unique index, so concurrent requesters join it instead
 * of racing to create their own), their requesters (one row per user and request), and the
 * tenant's webhook endpoints (secret encrypted under the key ring).
 *
 * Defaults live in code as well as here: a tenant without a policy row has no reviewers,
 * notifications and reminders on, and 30 days.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table identity.admin_consent_request_policies (
      tenant_id uuid primary key references identity.tenants(id) on delete cascade,
      -- [{ "type": "user" | "group" | "role", "id": "<uuid or directory role key>" }]
      reviewers jsonb not null default '[]'
        constraint admin_consent_request_policies_reviewers_check
        check (jsonb_typeof(reviewers) = 'array'),
      notify_reviewers boolean not null default true,
      reminders_enabled boolean not null default true,
      request_duration_days integer not null default 30
        constraint admin_consent_request_policies_duration_check
        check (request_duration_days between 1 and 30),
      version integer not null default 1,
      updated_at timestamptz not null default now()
    );

    create table identity.consent_requests (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      client_application_id uuid not null references identity.applications(id) on delete cascade,
      status text not null default 'pending' constraint consent_requests_status_check
        check (status in ('pending', 'approved', 'denied', 'blocked', 'expired', 'withdrawn')),
      -- Requesters whose entry is not withdrawn (kept here so lists sort by it with a keyset).
      requester_count integer not null default 0
        constraint consent_requests_requester_count_check check (requester_count >= 0),
      created_at timestamptz not null,
      updated_at timestamptz not null,
      expires_at timestamptz not null,
      -- The midpoint reminder went out (or was due while reminders were off): never again.
      reminder_sent_at timestamptz,
      decided_at timestamptz,
      -- The audit actor who decided ({ type, id, userPrincipalName | displayName | name }).
      decided_by jsonb,
      decision_reason text constraint consent_requests_reason_check
        check (length(decision_reason) <= 1000),
      -- Approved: [{ "resourceApplicationId", "scopes": [...] }], the audience
      -- ({ "type": "everyone" } | { "type": "groups" | "users", "ids": [...] }), optional end.
      approved_scopes jsonb,
      approved_audience jsonb,
      approved_until timestamptz,
      constraint consent_requests_decided_check
        check ((status = 'pending') = (decided_at is null))
    );
    -- One open request per tenant and app: concurrent requesters meet here.
    create unique index consent_requests_open_key
      on identity.consent_requests (tenant_id, client_application_id) where status = 'pending';
    -- Lists: newest first within a status, and by app.
    create index consent_requests_list_idx
      on identity.consent_requests (tenant_id, status, created_at desc, id);
    create index consent_requests_app_idx
      on identity.consent_requests (tenant_id, client_application_id, created_at desc);
    -- The sweeper's scan: pending requests by expiry.
    create index consent_requests_expiry_idx
      on identity.consent_requests (expires_at) where status = 'pending';

    create table identity.consent_request_requesters (
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      request_id uuid not null references identity.consent_requests(id) on delete cascade,
      user_id uuid not null references identity.users(id) on delete cascade,
      justification text not null constraint consent_request_requesters_justification_check
        check (length(justification) between 1 and 1000),
      -- [{ "resourceApplicationId", "scopes": [...] }]: what this user asked, merged over asks.
      scopes jsonb not null constraint consent_request_requesters_scopes_check
        check (jsonb_typeof(scopes) = 'array'),
      requested_at timestamptz not null,
      updated_at timestamptz not null,
      withdrawn_at timestamptz,
      primary key (request_id, user_id)
    );
    -- A user's own requests (the status page, "ask again").
    create index consent_request_requesters_user_idx
      on identity.consent_request_requesters (tenant_id, user_id);

    create table identity.webhook_endpoints (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      url text not null constraint webhook_endpoints_url_check check (length(url) <= 2048),
      description text constraint webhook_endpoints_description_check
        check (length(description) <= 256),
      -- The whsec_ secret as a KeyRing envelope bound to the endpoint (never stored in clear).
      secret_encrypted text not null,
      event_types jsonb not null constraint webhook_endpoints_event_types_check
        check (jsonb_typeof(event_types) = 'array' and jsonb_array_length(event_types) > 0),
      enabled boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index webhook_endpoints_tenant_idx on identity.webhook_endpoints (tenant_id);
  `.execute(db);
}
