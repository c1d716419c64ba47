import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, type ModifiedProperty, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import {
  type ApplicationFields,
  deleteRedirectUri,
  deleteSecret,
  updateApplicationFields,
} from "./application-admin-queries.ts";
import { recordApplicationUpdate } from "./application-audit.ts";
import { findApplicationById } from "./applications.ts";
import { isUuid, normaliseAppName } from "./names.ts";
import type { Application } from "./types.ts";

/** The application registered in (published by) the tenant; a 404 otherwise. */
export async function requireOwnApplication(
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

export interface ApplicationPatch {
  displayName?: string | undefined;
  homepageUrl?: string | null | undefined;
  /** https only: the consent screen shows it. */
  logoUrl?: string | null | undefined;
  termsUrl?: string | null | undefined;
  privacyUrl?: string | null | undefined;
  publisherDisplayName?: string | null | undefined;
}

// Entra's limit on an application's URLs.
const MAX_URL_LENGTH = 2048;

/** A URL field: null or "" clears it; otherwise an absolute http(s) URL (https for `httpsOnly`). */
function acceptUrl(value: string | null | undefined, field: string, httpsOnly: boolean) {
  if (value === undefined) return undefined;
  const url = value?.trim() ?? "";
  if (url === "") return null;
  const schemes = httpsOnly ? ["https:"] : ["https:", "http:"];
  if (
    url.length > MAX_URL_LENGTH ||
    !URL.canParse(url) ||
    !schemes.includes(new URL(url).protocol)
  ) {
    const message = `${field} must be an absolute ${httpsOnly ? "https" : "http or https"} URL of at most ${MAX_URL_LENGTH} characters.`;
    throw new ApiError(400, "application.invalid_url", message, [{ path: field, message }]);
  }
  return url;
}

function acceptPublisher(name: string | null | undefined): string | null | undefined {
  if (name === undefined) return undefined;
  const trimmed = name?.trim() ?? "";
  if (trimmed === "") return null;
  if (trimmed.length > 256)
    throw new ApiError(
      400,
      "application.invalid_publisher",
      "A publisher name must be at most 256 characters long.",
    );
  return trimmed;
}

/**
 * Changes an app registration's name, URLs (home page, logo, terms of service, privacy
 * statement) and publisher name, writing "Update application" with each change. As in
 * setPublisherDisplayName, a verified publisher loses the badge when its name changes;
 * verification itself is the operator's (CLI), never this.
 */
export async function updateApplication(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  patch: ApplicationPatch,
  actor: AuditActor,
): Promise<Application> {
  const displayName =
    patch.displayName === undefined ? undefined : normaliseAppName(patch.displayName);
  const urls = {
    homepageUrl: acceptUrl(patch.homepageUrl, "homepageUrl", false),
    logoUrl: acceptUrl(patch.logoUrl, "logoUrl", true),
    termsUrl: acceptUrl(patch.termsUrl, "termsUrl", false),
    privacyUrl: acceptUrl(patch.privacyUrl, "privacyUrl", false),
  };
  const publisher = acceptPublisher(patch.publisherDisplayName);
  return inTransaction(db, async (trx) => {
    const before = await requireOwnApplication(trx, tenantId, applicationId);
    const publisherDisplayName = publisher === undefined ? before.publisherDisplayName : publisher;
    const next: ApplicationFields = {
      displayName: displayName ?? before.displayName,
      homepageUrl: urls.homepageUrl === undefined ? before.homepageUrl : urls.homepageUrl,
      logoUrl: urls.logoUrl === undefined ? before.logoUrl : urls.logoUrl,
      termsUrl: urls.termsUrl === undefined ? before.termsUrl : urls.termsUrl,
      privacyUrl: urls.privacyUrl === undefined ? before.privacyUrl : urls.privacyUrl,
      publisherDisplayName,
      publisherVerified:
        before.publisherVerified && before.publisherDisplayName === publisherDisplayName,
    };
    const changes: ModifiedProperty[] = [];
    for (const key of Object.keys(next) as Array<keyof ApplicationFields>)
      if (next[key] !== before[key])
        changes.push({
          name: key.charAt(0).toUpperCase() + key.slice(1),
          oldValue: before[key],
          newValue: next[key],
        });
    if (changes.length === 0) return before;
    const after = await updateApplicationFields(trx, tenantId, before.id, next);
    if (!after) throw new Error("application vanished during update");
    await recordApplicationUpdate(trx, tenantId, actor, after, changes);
    return after;
  });
}

/** Removes a redirect URI (exact match); writes "Update application" with the list before and after. */
export async function removeRedirectUri(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  uri: string,
  actor: AuditActor,
): Promise<Application> {
  return inTransaction(db, async (trx) => {
    const before = await requireOwnApplication(trx, tenantId, applicationId);
    const after = await deleteRedirectUri(trx, tenantId, before.id, uri);
    if (!after)
      throw new ApiError(
        404,
        "application.redirect_uri_not_found",
        `The application has no redirect URI "${uri}" (URIs are compared exactly).`,
      );
    await recordApplicationUpdate(trx, tenantId, actor, after, [
      { name: "RedirectUris", oldValue: before.redirectUris, newValue: after.redirectUris },
    ]);
    return after;
  });
}

/**
 * Deletes a client secret: clients presenting it are refused from the next token request on
 * (the OAuth layer's secret cache follows the database's cache versions). Writes "Update
 * application – Certificates and secrets management".
 */
export async function removeClientSecret(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  secretId: string,
  actor: AuditActor,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const application = await requireOwnApplication(trx, tenantId, applicationId);
    const removed = isUuid(secretId)
      ? await deleteSecret(trx, tenantId, application.id, secretId.toLowerCase())
      : undefined;
    if (!removed)
      throw new ApiError(
        404,
        "application.secret_not_found",
        `The application has no client secret "${secretId}".`,
      );
    await recordAudit(trx, {
      tenantId,
      activity: "Update application – Certificates and secrets management",
      category: "ApplicationManagement",
      actor,
      targets: [{ type: "Application", id: application.id, displayName: application.displayName }],
      modifiedProperties: [
        {
          name: "KeyDescription",
          oldValue: {
            keyId: removed.id,
            displayName: removed.displayName,
            hint: removed.hint,
            endDateTime: removed.expiresAt.toISOString(),
          },
          newValue: null,
        },
      ],
    });
  });
}
