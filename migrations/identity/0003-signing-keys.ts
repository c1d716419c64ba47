import { type Kysely, sql } from "kysely";

/**
 * Per-tenant token signing keys. The private JWK is encrypted at rest with the key ring
 * (AES-256-GCM, additional data `signing-key:<tenant_id>:<kid>`, so a ciphertext copied to
 * another row or tenant does not decrypt). A retired key stays published in the JWKS until
 * `published_until`, so tokens it signed keep verifying until they expire.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table identity.signing_keys (
      kid text primary key,
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      alg text not null constraint signing_keys_alg_check check (alg in ('RS256', 'ES256')),
      private_jwk text not null,
      public_jwk jsonb not null,
      status text not null default 'active'
        constraint signing_keys_status_check check (status in ('active', 'retired')),
      created_at timestamptz not null default now(),
      retired_at timestamptz,
      published_until timestamptz,
      constraint signing_keys_retired_check check ((status = 'retired') = (retired_at is not null))
    );
    create index signing_keys_tenant_idx on identity.signing_keys (tenant_id, status);
  `.execute(db);
}
