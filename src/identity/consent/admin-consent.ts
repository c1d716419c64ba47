import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, recordAudit } from "../activity/audit-log.ts";
import {
  type Application,
  type AppRole,
  assignAppRole,
  type ExposedScope,
  ensureServicePrincipal,
  findResourceApplication,
  grantedAppRoleValues,
  listAppRoles,
  listExposedScopes,
  listRequiredPermissions,
  MAIL_RESOURCE,
  resolveScopes,
} from "../apps/index.ts";
import type { IdentityDB } from "../db.ts";
import { getUser, rolesOfUser } from "../directory/index.ts";
import { mayGrantForOrganization } from "./admin-consent-rules.ts";
import { type GrantChange, grantDelegatedPermissions } from "./grants.ts";
import { consentAuditProperties } from "./record-consent.ts";

/**
 * Tenant-wide admin consent (Entra's `/{tenant}/v2.0/adminconsent`): an administrator grants a
 * client, for every user of the organisation, the delegated permissions the request names and,
 * for `{resource}/.default`, the application permissions the client statically requires there.
 */

export interface AdminConsentRequest {
  client: Application;
  delegated: Array<{ resource: Application; scopes: ExposedScope[] }>;
  appRoles: Array<{ resource: Application; role: AppRole }>;
}

export type AdminConsentResolution =
  | { ok: true; request: AdminConsentRequest }
  | { ok: false; code: number; message: string };

/**
 * What an admin consent request's `scope` asks for: delegated scopes (OIDC scopes are Assent
 * Mail's) and, for `/.default`, the client's required application permissions on the resource.
 */
export async function resolveAdminConsentRequest(
  db: Kysely<IdentityDB>,
  tenantId: string,
  client: Application,
  scope: string,
): Promise<AdminConsentResolution> {
  const resolution = await resolveScopes(db, {
    clientApplicationId: client.id,
    requested: scope.split(" "),
    tenantId,
  });
  if (!resolution.ok) return { ok: false, code: resolution.entraCode, message: resolution.message };
  const resource = await findResourceApplication(db, resolution.resource.appId, { tenantId });
  const mail = await findResourceApplication(db, MAIL_RESOURCE.appId);
  if (!resource || !mail)
    return { ok: false, code: 500011, message: "The resource was not found." };
  const pick = async (app: Application, values: readonly string[]) => {
    const exposed = await listExposedScopes(db, app.id);
    return values
      .map((v) => exposed.find((s) => s.value === v))
      .filter((s): s is ExposedScope => s !== undefined);
  };
  const delegated: AdminConsentRequest["delegated"] = [];
  const sameAsMail = resource.id === mail.id;
  const mailValues = [...resolution.oidcScopes, ...(sameAsMail ? resolution.resourceScopes : [])];
  if (mailValues.length > 0)
    delegated.push({ resource: mail, scopes: await pick(mail, mailValues) });
  if (!sameAsMail && resolution.resourceScopes.length > 0)
    delegated.push({ resource, scopes: await pick(resource, resolution.resourceScopes) });
  const appRoles: AdminConsentRequest["appRoles"] = [];
  if (resolution.isDefault) {
    const roles = await listAppRoles(db, resource.id);
    const required = (await listRequiredPermissions(db, client.id)).filter(
      (p) => p.type === "Role" && p.resourceApplicationId === resource.id,
    );
    for (const p of required) {
      const role = roles.find((r) => r.id === p.permissionId);
      if (role?.enabled && role.allowedMemberTypes.includes("Application"))
        appRoles.push({ resource, role });
    }
  }
  const nothing = delegated.every((d) => d.scopes.length === 0) && appRoles.length === 0;
  if (nothing)
    return {
      ok: false,
      code: 70011,
      message: `The request names no permission to consent to. Request "${MAIL_RESOURCE.identifierUri}/.default" or the scopes the application needs.`,
    };
  return { ok: true, request: { client, delegated, appRoles } };
}

/** The permissions of the request the user may not grant tenant-wide (empty: all grantable). */
export function ungrantable(
  roles: Parameters<typeof mayGrantForOrganization>[0],
  request: AdminConsentRequest,
): string[] {
  const refused: string[] = [];
  for (const d of request.delegated)
    for (const s of d.scopes)
      if (
        !mayGrantForOrganization(roles, {
          type: "delegated",
          resourceAppId: d.resource.appId,
          value: s.value,
        })
      )
        refused.push(s.value);
  for (const r of request.appRoles)
    if (
      !mayGrantForOrganization(roles, {
        type: "application",
        resourceAppId: r.resource.appId,
        value: r.role.value,
      })
    )
      refused.push(r.role.value);
  return refused;
}

/**
 * Grants the request for the whole tenant: an AllPrincipals delegated grant per resource
 * (merged with what exists), the application permissions as app role assignments to the
 * client's service principal, and "Consent to application" (IsAdminConsent, OnBehalfOfAll), in
 * one transaction. Refused (`consent.not_authorized`) unless the user's roles allow every
 * permission of the request, whatever a page showed.
 */
export async function grantAdminConsent(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
  request: AdminConsentRequest,
  options: { correlationId?: string | undefined } = {},
): Promise<{ grants: GrantChange[]; appRoles: string[] }> {
  return inTransaction(db, async (trx) => {
    const user = await getUser(trx, tenantId, userId);
    if (!user?.enabled)
      throw new ApiError(
        404,
        "user.not_found",
        "The signed-in user does not exist in this tenant.",
      );
    const roles = await rolesOfUser(trx, tenantId, userId);
    const refused = ungrantable(roles, request);
    if (refused.length > 0 || roles.length === 0)
      throw new ApiError(
        403,
        "consent.not_authorized",
        `You may not grant ${refused.join(", ") || "these permissions"} for the organization.`,
      );
    const actor: AuditActor = {
      type: "user",
      id: user.id,
      userPrincipalName: user.userPrincipalName,
    };
    const spOptions = { actor, ...options };
    const clientSp = await ensureServicePrincipal(trx, tenantId, request.client.id, spOptions);
    const grants: GrantChange[] = [];
    for (const d of request.delegated) {
      if (d.scopes.length === 0) continue;
      grants.push(
        await grantDelegatedPermissions(
          trx,
          tenantId,
          {
            clientApplicationId: request.client.id,
            resourceApplicationId: d.resource.id,
            scopes: d.scopes.map((s) => s.value),
            consentType: "AllPrincipals",
          },
          actor,
          options,
        ),
      );
    }
    const granted: string[] = [];
    for (const { resource, role } of request.appRoles) {
      const held = await grantedAppRoleValues(trx, tenantId, clientSp.id, resource.id);
      if (held.includes(role.value)) continue;
      await assignAppRole(
        trx,
        tenantId,
        {
          resourceApplicationId: resource.id,
          principalType: "ServicePrincipal",
          principalId: clientSp.id,
          appRoleId: role.id,
        },
        actor,
      );
      granted.push(role.value);
    }
    await recordAudit(trx, {
      tenantId,
      activity: "Consent to application",
      category: "ApplicationManagement",
      actor,
      targets: [
        { type: "ServicePrincipal", id: clientSp.id, displayName: request.client.displayName },
      ],
      modifiedProperties: consentAuditProperties(
        grants,
        {
          isAdminConsent: true,
          onBehalfOfAll: true,
          isAppOnly: grants.length === 0 && request.appRoles.length > 0,
        },
        request.appRoles.map((r) => ({ resourceAppId: r.resource.appId, value: r.role.value })),
      ),
      additionalDetails: { appId: request.client.appId },
      ...(options.correlationId ? { correlationId: options.correlationId } : {}),
    });
    return { grants, appRoles: granted };
  });
}
