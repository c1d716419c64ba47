import { type Kysely, sql } from "kysely";

/**
 * Assent Connect's store: applications (the developers' apps) with hashed API keys and their
 * registered callback URIs, connectors (a provider app's credentials, secret encrypted),
 * hosted-auth sessions and the codes handed to apps, grants (one per application, provider and
 * email; provider tokens encrypted), pending approvals, and webhook destinations. Connect owns
 * the `connect` schema and has no foreign keys into another service's: everything it knows about
 * an identity provider came over OAuth.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table connect.applications (
      id uuid primary key default gen_random_uuid(),
      name text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table connect.api_keys (
      id uuid primary key default gen_random_uuid(),
      application_id uuid not null references connect.applications(id) on delete cascade,
      name text not null,
      -- SHA-256 of the key (256 random bits); the key itself is shown once.
      key_hash text not null constraint api_keys_key_hash_key unique,
      created_at timestamptz not null default now(),
      revoked_at timestamptz
    );
    create index api_keys_application_idx on connect.api_keys (application_id);

    create table connect.callback_uris (
      application_id uuid not null references connect.applications(id) on delete cascade,
      -- Compared as an exact string, as Entra and Nylas compare redirect URIs.
      uri text not null,
      created_at timestamptz not null default now(),
      primary key (application_id, uri)
    );

    create table connect.connectors (
      id uuid primary key default gen_random_uuid(),
      application_id uuid not null references connect.applications(id) on delete cascade,
      provider text not null constraint connectors_provider_check
        check (provider in ('assent', 'microsoft', 'google')),
      -- client_id, issuer / authority / tenant: never the secret.
      settings jsonb not null,
      client_secret_enc text,
      scope jsonb not null default '[]',
      -- Secret Assent Identity signs its consent_request webhooks with, when subscribed.
      identity_webhook_secret_enc text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      -- One connector per provider per application, as in Nylas.
      constraint connectors_application_provider_key unique (application_id, provider)
    );

    create table connect.auth_sessions (
      id uuid primary key default gen_random_uuid(),
      application_id uuid not null references connect.applications(id) on delete cascade,
      provider text not null,
      -- code | adminconsent
      response_type text not null,
      -- SHA-256 of the opaque state sent to the provider; the state itself is never stored.
      state_hash text not null constraint auth_sessions_state_hash_key unique,
      redirect_uri text not null,
      app_state text,
      scope jsonb not null,
      login_hint text,
      code_challenge text,
      code_challenge_method text,
      -- The PKCE verifier for the provider (encrypted) and the OIDC nonce.
      provider_verifier_enc text,
      nonce text,
      pending_approval_id uuid,
      expires_at timestamptz not null,
      consumed_at timestamptz,
      created_at timestamptz not null default now()
    );
    create index auth_sessions_expires_idx on connect.auth_sessions (expires_at);

    create table connect.grants (
      id uuid primary key default gen_random_uuid(),
      application_id uuid not null references connect.applications(id) on delete cascade,
      provider text not null,
      -- Lower-cased: one grant per (application, provider, email), re-authentication keeps the id.
      email text not null,
      name text,
      provider_user_id text,
      provider_tenant text,
      grant_status text not null default 'valid'
        constraint grants_status_check check (grant_status in ('valid', 'invalid')),
      scope jsonb not null default '[]',
      settings jsonb not null default '{}',
      access_token_enc text,
      access_token_expires_at timestamptz,
      refresh_token_enc text,
      id_token_enc text,
      -- SHA-256 of the Connect refresh token handed to the app.
      app_refresh_token_hash text constraint grants_app_refresh_token_hash_key unique,
      -- A refresh in flight (one node at a time: provider refresh tokens rotate).
      refreshing_until timestamptz,
      ip text,
      user_agent text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint grants_application_provider_email_key unique (application_id, provider, email)
    );
    create index grants_application_created_idx on connect.grants (application_id, created_at desc, id);

    create table connect.auth_codes (
      code_hash text primary key,
      application_id uuid not null references connect.applications(id) on delete cascade,
      grant_id uuid not null references connect.grants(id) on delete cascade,
      redirect_uri text not null,
      code_challenge text,
      code_challenge_method text,
      expires_at timestamptz not null,
      consumed_at timestamptz,
      created_at timestamptz not null default now()
    );

    create table connect.pending_approvals (
      id uuid primary key default gen_random_uuid(),
      application_id uuid not null references connect.applications(id) on delete cascade,
      provider text not null,
      -- The organisation whose administrator must act: a tenant id, issuer or email domain.
      provider_tenant text not null,
      -- Lower-cased; '' when the provider did not say who was signing in.
      email text not null,
      outcome text not null,
      status text not null default 'pending'
        constraint pending_approvals_status_check check (status in ('pending', 'approved')),
      error_code text,
      error_description text,
      -- Where the resumed connection goes back to (a registered callback URI) and with what.
      redirect_uri text not null,
      scope jsonb not null default '[]',
      approved_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint pending_approvals_key unique (application_id, provider, provider_tenant, email)
    );
    create index pending_approvals_application_idx
      on connect.pending_approvals (application_id, status, created_at desc);

    create table connect.webhook_destinations (
      id uuid primary key default gen_random_uuid(),
      application_id uuid not null references connect.applications(id) on delete cascade,
      url text not null,
      description text,
      trigger_types jsonb not null,
      secret_enc text not null,
      status text not null default 'active'
        constraint webhook_destinations_status_check check (status in ('active', 'failing', 'failed', 'pause')),
      notification_email_addresses jsonb not null default '[]',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index webhook_destinations_application_idx on connect.webhook_destinations (application_id);
  `.execute(db);
}
