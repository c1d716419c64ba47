import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import type { AuditActor } from "../activity/audit-log.ts";
import { findApplicationByAppId } from "../apps/index.ts";
import type { IdentityDB } from "../db.ts";
import { isUuid } from "../directory/index.ts";
import { selectGrants } from "./grant-queries.ts";
import { revokeDelegatedPermissionGrant } from "./grants.ts";
import { deleteClientArtifactsOfUser } from "./oidc-artifact-queries.ts";

/** One app a user granted access to, as "My apps" lists it. */
export interface MyApp {
  clientServicePrincipalId: string;
  appId: string;
  displayName: string;
  publisherDisplayName: string | null;
  publisherVerified: boolean;
  logoUrl: string | null;
  /** What the user granted, per resource. */
  permissions: Array<{ resourceDisplayName: string; scopes: string[] }>;
  grantedAt: Date;
  updatedAt: Date;
  expiresAt: Date | null;
}

/**
 * The apps the user consented to for themselves (their `Principal` grants), one entry per app.
 *
 * @example
 * const apps = await listMyApps(db, tenant.id, user.id);
 */
export async function listMyApps(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
): Promise<MyApp[]> {
  if (!isUuid(tenantId) || !isUuid(userId)) return [];
  const grants = await selectGrants(db, tenantId, { principalId: userId });
  const apps = new Map<string, MyApp>();
  for (const g of grants) {
    let app = apps.get(g.clientServicePrincipalId);
    if (!app) {
      const client = await findApplicationByAppId(db, g.clientAppId);
      app = {
        clientServicePrincipalId: g.clientServicePrincipalId,
        appId: g.clientAppId,
        displayName: g.clientDisplayName,
        publisherDisplayName: client?.publisherDisplayName ?? null,
        publisherVerified: client?.publisherVerified ?? false,
        logoUrl: client?.logoUrl ?? null,
        permissions: [],
        grantedAt: g.createdAt,
        updatedAt: g.updatedAt,
        expiresAt: g.expiresAt,
      };
      apps.set(g.clientServicePrincipalId, app);
    }
    app.permissions.push({ resourceDisplayName: g.resourceDisplayName, scopes: g.scopes });
    if (g.createdAt < app.grantedAt) app.grantedAt = g.createdAt;
    if (g.updatedAt > app.updatedAt) app.updatedAt = g.updatedAt;
  }
  return [...apps.values()];
}

/**
 * "Remove" in My apps: deletes the user's own grants to the app ("Remove delegated permission
 * grant" each) and revokes what the app holds for the user (oidc-provider grants, codes, access
 * and refresh tokens of that client for that user), in one transaction. Grants the organisation
 * made stay: an administrator removes those.
 */
export async function revokeMyApp(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
  clientServicePrincipalId: string,
  actor: AuditActor,
): Promise<{ grantsRemoved: number; artifactsRevoked: number }> {
  return inTransaction(db, async (trx) => {
    const grants =
      isUuid(tenantId) && isUuid(userId) && isUuid(clientServicePrincipalId)
        ? await selectGrants(trx, tenantId, { principalId: userId, clientServicePrincipalId })
        : [];
    const first = grants[0];
    if (!first)
      throw new ApiError(
        404,
        "grant.not_found",
        "You have not granted this app access: there is nothing to remove.",
      );
    for (const g of grants) await revokeDelegatedPermissionGrant(trx, tenantId, g.id, actor);
    const artifactsRevoked = await deleteClientArtifactsOfUser(
      trx,
      tenantId,
      userId,
      first.clientAppId,
    );
    return { grantsRemoved: grants.length, artifactsRevoked };
  });
}
