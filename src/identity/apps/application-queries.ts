import { randomUUID } from "node:crypto";
import { type Kysely, type Selectable, sql } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { ApplicationsTable } from "./tables.ts";
import type { Application, SignInAudience } from "./types.ts";

export const APPLICATION_COLUMNS = [
  "id",
  "app_id",
  "tenant_id",
  "display_name",
  "sign_in_audience",
  "is_public_client",
  "redirect_uris",
  "publisher_display_name",
  "publisher_verified",
  "homepage_url",
  "logo_url",
  "terms_url",
  "privacy_url",
  "identifier_uris",
  "created_at",
] as const;

type ApplicationRow = Pick<Selectable<ApplicationsTable>, (typeof APPLICATION_COLUMNS)[number]>;

export function toApplication(row: ApplicationRow): Application {
  return {
    id: row.id,
    appId: row.app_id,
    tenantId: row.tenant_id,
    displayName: row.display_name,
    signInAudience: row.sign_in_audience,
    isPublicClient: row.is_public_client,
    redirectUris: row.redirect_uris,
    publisherDisplayName: row.publisher_display_name,
    publisherVerified: row.publisher_verified,
    homepageUrl: row.homepage_url,
    logoUrl: row.logo_url,
    termsUrl: row.terms_url,
    privacyUrl: row.privacy_url,
    identifierUris: row.identifier_uris,
    createdAt: row.created_at,
  };
}

/** Inserts an application whose Application ID URI is `api://{appId}` (Entra's default form). */
export async function insertApplication(
  db: Kysely<IdentityDB>,
  values: {
    tenantId: string;
    displayName: string;
    signInAudience: SignInAudience;
    isPublicClient: boolean;
    redirectUris: string[];
  },
): Promise<Application> {
  const appId = randomUUID();
  const row = await db
    .insertInto("identity.applications")
    .values({
      app_id: appId,
      tenant_id: values.tenantId,
      display_name: values.displayName,
      sign_in_audience: values.signInAudience,
      is_public_client: values.isPublicClient,
      redirect_uris: JSON.stringify(values.redirectUris),
      identifier_uris: JSON.stringify([`api://${appId}`]),
    })
    .returning(APPLICATION_COLUMNS)
    .executeTakeFirstOrThrow();
  return toApplication(row);
}

/** `appId` must be uuid-shaped (the caller checks). */
export async function selectApplicationByAppId(
  db: Kysely<IdentityDB>,
  appId: string,
): Promise<Application | undefined> {
  const row = await db
    .selectFrom("identity.applications")
    .select(APPLICATION_COLUMNS)
    .where("app_id", "=", appId)
    .executeTakeFirst();
  return row && toApplication(row);
}

/** `id` must be uuid-shaped (the caller checks). */
export async function selectApplicationById(
  db: Kysely<IdentityDB>,
  id: string,
): Promise<Application | undefined> {
  const row = await db
    .selectFrom("identity.applications")
    .select(APPLICATION_COLUMNS)
    .where("id", "=", id)
    .executeTakeFirst();
  return row && toApplication(row);
}

/** The applications with these object ids, in one round trip (`ids` uuid-shaped). */
export async function selectApplicationsByIds(
  db: Kysely<IdentityDB>,
  ids: readonly string[],
): Promise<Application[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom("identity.applications")
    .select(APPLICATION_COLUMNS)
    .where("id", "in", ids)
    .execute();
  return rows.map(toApplication);
}

/** Applications whose Application ID URIs include `uri` (a GIN index serves the lookup). */
export async function selectApplicationsByIdentifierUri(
  db: Kysely<IdentityDB>,
  uri: string,
): Promise<Application[]> {
  const rows = await db
    .selectFrom("identity.applications")
    .select(APPLICATION_COLUMNS)
    .where(sql<boolean>`identifier_uris @> ${JSON.stringify([uri])}::jsonb`)
    .orderBy("created_at")
    .execute();
  return rows.map(toApplication);
}

export async function selectApplications(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<Application[]> {
  const rows = await db
    .selectFrom("identity.applications")
    .select(APPLICATION_COLUMNS)
    .where("tenant_id", "=", tenantId)
    .orderBy("display_name")
    .orderBy("created_at")
    .execute();
  return rows.map(toApplication);
}

/**
 * Appends a redirect URI in one statement, so concurrent additions never lose each other.
 * Undefined when nothing changed: the application is not in the tenant, already has the URI, or
 * is at `max` URIs.
 */
export async function appendRedirectUri(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  uri: string,
  max: number,
): Promise<Application | undefined> {
  const element = JSON.stringify([uri]);
  const row = await db
    .updateTable("identity.applications")
    .set({
      redirect_uris: sql<string>`redirect_uris || ${element}::jsonb`,
      updated_at: sql<Date>`now()`,
    })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .where(sql<boolean>`not (redirect_uris @> ${element}::jsonb)`)
    .where(sql<boolean>`jsonb_array_length(redirect_uris) < ${max}`)
    .returning(APPLICATION_COLUMNS)
    .executeTakeFirst();
  return row && toApplication(row);
}

export async function updatePublisher(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  values: { publisherDisplayName: string | null; publisherVerified: boolean },
): Promise<Application | undefined> {
  const row = await db
    .updateTable("identity.applications")
    .set({
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
