import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import {
  selectApplicationByAppId,
  selectApplicationsByIdentifierUri,
} from "./application-queries.ts";
import { isUuid } from "./names.ts";
import type { Application } from "./types.ts";

/**
 * The resource application a reference names: an Application ID URI (`api://assent-mail`) or a
 * client id (`00000003-…`). Undefined when nothing matches; never throws on malformed input
 * (references arrive in scope parameters).
 *
 * A single-tenant resource is only visible from its own tenant: pass `tenantId` (the tenant
 * the token is for) and another tenant's AzureADMyOrg application is not found.
 *
 * @example
 * await findResourceApplication(db, "api://assent-mail");
 */
export async function findResourceApplication(
  db: Kysely<IdentityDB>,
  ref: string,
  options: { tenantId?: string | undefined } = {},
): Promise<Application | undefined> {
  const application = await lookup(db, ref.trim());
  if (!application) return undefined;
  if (
    options.tenantId !== undefined &&
    application.signInAudience === "AzureADMyOrg" &&
    application.tenantId !== options.tenantId
  )
    return undefined;
  return application;
}

async function lookup(db: Kysely<IdentityDB>, ref: string): Promise<Application | undefined> {
  if (isUuid(ref)) return selectApplicationByAppId(db, ref.toLowerCase());
  if (ref.length === 0 || ref.length > 512) return undefined;
  const [exact] = await selectApplicationsByIdentifierUri(db, ref);
  if (exact) return exact;
  // Entra accepts "api://x//.default" for a resource whose URI ends in "/": try both forms.
  if (ref.endsWith("/")) {
    const [trimmed] = await selectApplicationsByIdentifierUri(db, ref.replace(/\/+$/, ""));
    return trimmed;
  }
  return undefined;
}

/** The URI that names the application as a resource: its first Application ID URI. */
export function resourceIdentifierUri(application: Application): string {
  return application.identifierUris[0] ?? `api://${application.appId}`;
}
