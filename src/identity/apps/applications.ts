import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { hasUnsafeNameCharacters } from "../../platform/text.ts";
import { type AuditActor, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { recordApplicationUpdate } from "./application-audit.ts";
import {
  appendRedirectUri,
  insertApplication,
  selectApplicationByAppId,
  selectApplicationById,
  selectApplications,
  selectApplicationsByIds,
  updatePublisher,
} from "./application-queries.ts";
import { isUuid, normaliseAppName } from "./names.ts";
import { MAX_REDIRECT_URIS, redirectUriProblem } from "./redirect-uri.ts";
import { ensureServicePrincipal } from "./service-principals.ts";
import type { Application, SignInAudience } from "./types.ts";

export interface NewApplication {
  displayName: string;
  /** Default AzureADMyOrg: only the publisher tenant's users may sign in. */
  signInAudience?: SignInAudience | undefined;
  /** A public client (SPA, native app) has no secret and must use PKCE. */
  isPublicClient?: boolean | undefined;
  redirectUris?: readonly string[] | undefined;
}

/**
 * The application whose client id is `appId`; undefined for an unknown or malformed id (client
 * ids arrive from the network and must never make the query throw).
 *
 * @example
 * const app = await findApplicationByAppId(db, params.client_id);
 */
export async function findApplicationByAppId(
  db: Kysely<IdentityDB>,
  appId: string,
): Promise<Application | undefined> {
  return isUuid(appId) ? selectApplicationByAppId(db, appId.toLowerCase()) : undefined;
}

/** The application with this object id; undefined for an unknown or malformed id. */
export async function findApplicationById(
  db: Kysely<IdentityDB>,
  id: string,
): Promise<Application | undefined> {
  return isUuid(id) ? selectApplicationById(db, id.toLowerCase()) : undefined;
}

/**
 * The applications with these object ids, by id, in one query (a listing shows many); unknown
 * and malformed ids are left out.
 */
export async function findApplicationsByIds(
  db: Kysely<IdentityDB>,
  ids: readonly string[],
): Promise<Map<string, Application>> {
  const wanted = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
  const found = await selectApplicationsByIds(db, wanted);
  return new Map(found.map((a) => [a.id, a]));
}

/** The applications registered in (published by) the tenant. */
export async function listApplications(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<Application[]> {
  return isUuid(tenantId) ? selectApplications(db, tenantId) : [];
}

function acceptRedirectUri(uri: string): string {
  const problem = redirectUriProblem(uri);
  if (problem)
    throw new ApiError(
      400,
      "application.invalid_redirect_uri",
      `The redirect URI "${uri}" ${problem}.`,
    );
  return uri;
}

/**
 * Registers an application in the tenant, with its service principal there (as the Entra portal
 * does), an "Add application" and an "Add service principal" audit event, in one transaction.
 * Its Application ID URI is `api://{appId}`.
 *
 * @example
 * const app = await createApplication(db, tenant.id, { displayName: "Contoso CRM",
 *   redirectUris: ["https://crm.contoso.com/auth/callback"] }, CLI_ACTOR);
 */
export async function createApplication(
  db: Kysely<IdentityDB>,
  tenantId: string,
  input: NewApplication,
  actor: AuditActor,
): Promise<Application> {
  const displayName = normaliseAppName(input.displayName);
  const redirectUris = [...new Set((input.redirectUris ?? []).map(acceptRedirectUri))];
  if (redirectUris.length > MAX_REDIRECT_URIS)
    throw new ApiError(
      400,
      "application.too_many_redirect_uris",
      `An application can have at most ${MAX_REDIRECT_URIS} redirect URIs.`,
    );
  const signInAudience = input.signInAudience ?? "AzureADMyOrg";
  if (signInAudience !== "AzureADMyOrg" && signInAudience !== "AzureADMultipleOrgs")
    throw new ApiError(
      400,
      "application.invalid_audience",
      `Unknown sign-in audience "${signInAudience}": use AzureADMyOrg or AzureADMultipleOrgs.`,
    );
  return inTransaction(db, async (trx) => {
    const tenant = isUuid(tenantId)
      ? await trx
          .selectFrom("identity.tenants")
          .select("id")
          .where("id", "=", tenantId)
          .executeTakeFirst()
      : undefined;
    if (!tenant) throw new ApiError(404, "tenant.not_found", `No tenant with id "${tenantId}".`);
    const application = await insertApplication(trx, {
      tenantId: tenant.id,
      displayName,
      signInAudience,
      isPublicClient: input.isPublicClient ?? false,
      redirectUris,
    });
    await recordAudit(trx, {
      tenantId: tenant.id,
      activity: "Add application",
      category: "ApplicationManagement",
      actor,
      targets: [{ type: "Application", id: application.id, displayName }],
      modifiedProperties: [
        { name: "AppId", oldValue: null, newValue: application.appId },
        { name: "SignInAudience", oldValue: null, newValue: signInAudience },
        { name: "IsPublicClient", oldValue: null, newValue: application.isPublicClient },
        { name: "RedirectUris", oldValue: null, newValue: redirectUris },
      ],
    });
    await ensureServicePrincipal(trx, tenant.id, application.id, { actor });
    return application;
  });
}

async function requireApplication(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
): Promise<Application> {
  const application = await findApplicationById(db, applicationId);
  if (!application || application.tenantId !== tenantId)
    throw new ApiError(
      404,
      "application.not_found",
      `No application "${applicationId}" is registered in this tenant.`,
    );
  return application;
}

/**
 * Adds a redirect URI, stored exactly as given (requests must then match it exactly). Refuses
 * anything but https, except plain http on loopback addresses (RFC 8252 section 7.3).
 */
export async function addRedirectUri(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  uri: string,
  actor: AuditActor,
): Promise<Application> {
  acceptRedirectUri(uri);
  return inTransaction(db, async (trx) => {
    const before = await requireApplication(trx, tenantId, applicationId);
    const after = await appendRedirectUri(trx, tenantId, before.id, uri, MAX_REDIRECT_URIS);
    if (!after) {
      if (before.redirectUris.includes(uri))
        throw new ApiError(
          409,
          "application.duplicate_redirect_uri",
          `The application already has the redirect URI "${uri}".`,
        );
      throw new ApiError(
        400,
        "application.too_many_redirect_uris",
        `An application can have at most ${MAX_REDIRECT_URIS} redirect URIs: remove one first.`,
      );
    }
    await recordApplicationUpdate(trx, tenantId, actor, after, [
      { name: "RedirectUris", oldValue: before.redirectUris, newValue: after.redirectUris },
    ]);
    return after;
  });
}

async function changePublisher(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  decide: (before: Application) => { name: string | null; verified: boolean },
  actor: AuditActor,
): Promise<Application> {
  return inTransaction(db, async (trx) => {
    const before = await requireApplication(trx, tenantId, applicationId);
    const publisher = decide(before);
    const after = await updatePublisher(trx, tenantId, before.id, {
      publisherDisplayName: publisher.name,
      publisherVerified: publisher.verified,
    });
    if (!after) throw new Error("application vanished during update");
    await recordApplicationUpdate(trx, tenantId, actor, after, [
      {
        name: "PublisherDisplayName",
        oldValue: before.publisherDisplayName,
        newValue: after.publisherDisplayName,
      },
      {
        name: "PublisherVerified",
        oldValue: before.publisherVerified,
        newValue: after.publisherVerified,
      },
    ]);
    return after;
  });
}

function normalisePublisher(name: string | null): string | null {
  if (name === null) return null;
  const trimmed = name.trim();
  if (trimmed.length === 0) return null;
  if (trimmed.length > 256)
    throw new ApiError(
      400,
      "application.invalid_publisher",
      "A publisher name must be at most 256 characters long.",
    );
  if (hasUnsafeNameCharacters(trimmed))
    throw new ApiError(
      400,
      "application.invalid_publisher",
      "A publisher name cannot contain control characters (such as line breaks) or text direction overrides (U+202A to U+202E, U+2066 to U+2069): remove them.",
    );
  return trimmed;
}

/**
 * Sets the publisher name the consent screen shows. A verified publisher becomes unverified
 * when its name changes: verification vouches for one name, and keeping the badge would let an
 * app rename itself after another organisation.
 */
export async function setPublisherDisplayName(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  name: string | null,
  actor: AuditActor,
): Promise<Application> {
  const publisher = normalisePublisher(name);
  return changePublisher(
    db,
    tenantId,
    applicationId,
    (before) => ({
      name: publisher,
      verified: before.publisherVerified && before.publisherDisplayName === publisher,
    }),
    actor,
  );
}

/**
 * Marks the application's publisher as verified under `publisherName` (the consent screen's
 * blue badge). Only the platform operator does this, after checking the organisation: the
 * admin API must not expose it to tenant administrators.
 */
export async function verifyPublisher(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  publisherName: string,
  actor: AuditActor,
): Promise<Application> {
  const publisher = normalisePublisher(publisherName);
  if (publisher === null)
    throw new ApiError(
      400,
      "application.invalid_publisher",
      "Give the verified publisher's name (the organisation shown on the consent screen).",
    );
  return changePublisher(
    db,
    tenantId,
    applicationId,
    () => ({ name: publisher, verified: true }),
    actor,
  );
}
