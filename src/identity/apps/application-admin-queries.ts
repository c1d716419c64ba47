import { type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";
import { APPLICATION_COLUMNS, toApplication } from "./application-queries.ts";
import type { Application, ClientSecretInfo } from "./types.ts";

/** Queries of the admin API's app registration changes: SQL only. */

export interface ApplicationFields {
  displayName: string;
  homepageUrl: string | null;
  logoUrl: string | null;
  termsUrl: string | null;
  privacyUrl: string | null;
  publisherDisplayName: string | null;
  publisherVerified: boolean;
}

export async function updateApplicationFields(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  values: ApplicationFields,
): Promise<Application | undefined> {
  const row = await db
    .updateTable("identity.applications")
    .set({
      display_name: values.displayName,
      homepage_url: values.homepageUrl,
      logo_url: values.logoUrl,
      terms_url: values.termsUrl,
      privacy_url: values.privacyUrl,
      publisher_display_name: values.publisherDisplayName,
      publisher_verified: values.publisherVerified,
      updated_at: sql<Date>`now()`,
    })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .returning(APPLICATION_COLUMNS)
    .executeTakeFirst();
  return row && toApplication(row);
}

/**
 * Removes a redirect URI in one statement (jsonb `-` drops the matching string). Undefined when
 * the application is not in the tenant or does not have the URI.
 */
export async function deleteRedirectUri(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  uri: string,
): Promise<Application | undefined> {
  const row = await db
    .updateTable("identity.applications")
    .set({
      redirect_uris: sql<string>`redirect_uris - ${uri}::text`,
      updated_at: sql<Date>`now()`,
    })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .where(sql<boolean>`redirect_uris @> ${JSON.stringify([uri])}::jsonb`)
    .returning(APPLICATION_COLUMNS)
    .executeTakeFirst();
  return row && toApplication(row);
}

/** Deletes one secret of the application; its description, or undefined when there is none. */
export async function deleteSecret(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  secretId: string,
): Promise<ClientSecretInfo | undefined> {
  const row = await db
    .deleteFrom("identity.application_secrets")
    .where("tenant_id", "=", tenantId)
    .where("application_id", "=", applicationId)
    .where("id", "=", secretId)
    .returning(["id", "application_id", "display_name", "hint", "expires_at", "created_at"])
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      applicationId: row.application_id,
      displayName: row.display_name,
      hint: row.hint,
      expiresAt: row.expires_at,
      createdAt: row.created_at,
    }
  );
}
