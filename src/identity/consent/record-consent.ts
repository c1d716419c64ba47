import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, recordAudit } from "../activity/audit-log.ts";
import type { Application } from "../apps/index.ts";
import type { IdentityDB } from "../db.ts";
import { rolesOfUser } from "../directory/index.ts";
import { type GrantChange, grantDelegatedPermissions } from "./grants.ts";
import { mayGrantTenantWide } from "./policy.ts";

export interface ConsentToRecord {
  tenantId: string;
  client: Application;
  /** The user who clicked Accept. */
  userId: string;
  userPrincipalName?: string | undefined;
  /** "Consent on behalf of your organization": an AllPrincipals grant instead of the user's own. */
  forOrganization: boolean;
  /** What is granted, per resource (object id), as validated against the decision by the caller. */
  parts: ReadonlyArray<{ resourceApplicationId: string; scopes: readonly string[] }>;
  correlationId?: string | undefined;
}

/** The "Consent to application" event's properties, as Entra's (ConsentContext.*, ConsentAction.*). */
export function consentAuditProperties(
  changes: readonly GrantChange[],
  context: { isAdminConsent: boolean; onBehalfOfAll: boolean; isAppOnly: boolean },
  appRoles: ReadonlyArray<{ resourceAppId: string; value: string }> = [],
) {
  return [
    { name: "ConsentContext.IsAdminConsent", oldValue: null, newValue: context.isAdminConsent },
    { name: "ConsentContext.IsAppOnly", oldValue: null, newValue: context.isAppOnly },
    { name: "ConsentContext.OnBehalfOfAll", oldValue: null, newValue: context.onBehalfOfAll },
    {
      name: "ConsentAction.Permissions",
      oldValue: changes.map((c) => ({
        Id: c.grant.id,
        ResourceId: c.grant.resourceAppId,
        Scope: c.previousScopes?.join(" ") ?? "",
      })),
      newValue: [
        ...changes.map((c) => ({
          Id: c.grant.id,
          ClientId: c.grant.clientAppId,
          PrincipalId: c.grant.principalId,
          ResourceId: c.grant.resourceAppId,
          ConsentType: c.grant.consentType,
          Scope: c.grant.scopes.join(" "),
        })),
        ...appRoles.map((r) => ({ ResourceId: r.resourceAppId, AppRole: r.value })),
      ],
    },
  ];
}

/**
 * Records a user's consent from the consent screen: one delegated permission grant per resource
 * (the user's own, or tenant-wide when they consented for the organisation, which needs a role
 * that may grant tenant-wide), "Add delegated permission grant" for each and one "Consent to
 * application", all in one transaction. The caller has checked the scopes against the decision.
 *
 * @example
 * await recordConsent(db, { tenantId, client, userId, forOrganization: false,
 *   parts: [{ resourceApplicationId: MAIL_APPLICATION_ID, scopes: ["openid", "User.Read"] }] });
 */
export async function recordConsent(
  db: Kysely<IdentityDB>,
  consent: ConsentToRecord,
): Promise<GrantChange[]> {
  const actor: AuditActor = {
    type: "user",
    id: consent.userId,
    ...(consent.userPrincipalName ? { userPrincipalName: consent.userPrincipalName } : {}),
  };
  const options = consent.correlationId ? { correlationId: consent.correlationId } : {};
  return inTransaction(db, async (trx) => {
    if (consent.forOrganization) {
      const roles = await rolesOfUser(trx, consent.tenantId, consent.userId);
      if (!mayGrantTenantWide(roles))
        throw new ApiError(
          403,
          "consent.not_authorized",
          "Only an administrator may consent on behalf of the organization.",
        );
    }
    const changes: GrantChange[] = [];
    for (const part of consent.parts) {
      if (part.scopes.length === 0) continue;
      changes.push(
        await grantDelegatedPermissions(
          trx,
          consent.tenantId,
          {
            clientApplicationId: consent.client.id,
            resourceApplicationId: part.resourceApplicationId,
            scopes: part.scopes,
            consentType: consent.forOrganization ? "AllPrincipals" : "Principal",
            principalId: consent.forOrganization ? undefined : consent.userId,
          },
          actor,
          options,
        ),
      );
    }
    const sp = changes[0]?.grant.clientServicePrincipalId;
    await recordAudit(trx, {
      tenantId: consent.tenantId,
      activity: "Consent to application",
      category: "ApplicationManagement",
      actor,
      targets: [
        {
          type: "ServicePrincipal",
          id: sp ?? consent.client.id,
          displayName: consent.client.displayName,
        },
      ],
      modifiedProperties: consentAuditProperties(changes, {
        isAdminConsent: consent.forOrganization,
        onBehalfOfAll: consent.forOrganization,
        isAppOnly: false,
      }),
      additionalDetails: { appId: consent.client.appId },
      ...options,
    });
    return changes;
  });
}
