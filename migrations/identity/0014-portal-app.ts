import { type Kysely, sql } from "kysely";

/**
 * The built-in application "Assent Portal" in the system tenant: the admin portal's first-party
 * OIDC client. A multi-tenant public client (PKCE, no secret), so every tenant's issuer knows
 * it; its redirect URI depends on the public URL, which only the running service knows, so it
 * is written at start-up (src/identity/portal/register.ts), never by a migration. Its delegated
 * permissions on Assent Admin API are pre-authorized in every tenant by the consent decision
 * (src/identity/consent/first-party.ts), as Microsoft's own portals are.
 *
 * Fixed ids (copied here, as migrations never import application code):
 * src/identity/portal/portal-app.ts holds the same values.
 */
const SYSTEM_TENANT_ID = "8e6c1ec5-c7e6-4907-9a3d-afac4377f6de";
const PORTAL_OBJECT_ID = "5b0c7a52-52a8-4a62-9d5e-0d1f3b7e4c11";
const PORTAL_APP_ID = "00000003-0000-0000-c000-00000000b07a";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    insert into identity.applications (id, app_id, tenant_id, display_name, sign_in_audience,
      publisher_display_name, publisher_verified, is_public_client)
    values (${PORTAL_OBJECT_ID}, ${PORTAL_APP_ID}, ${SYSTEM_TENANT_ID}, 'Assent Portal',
      'AzureADMultipleOrgs', 'Assent', true, true)`.execute(db);
}
