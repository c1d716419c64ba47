import { type Kysely, sql } from "kysely";
import { isUserAssigned, MAIL_RESOURCE } from "../apps/index.ts";
import type { IdentityDB } from "../db.ts";
import { isUuid, rolesOfUser } from "../directory/index.ts";
import { type ConsentInputCache, ConsentInputs, type ConsentRequest } from "./evaluate.ts";
import { type DelegatedGrant, type DirectoryRoleKey, decideConsent } from "./policy.ts";

/**
 * The access check of the token endpoint (code redemption and refresh): does the user still
 * have what the code or refresh token carries? Only the table's first three rows matter here
 * (disabled, not assigned, granted): anything short of "granted" means a grant was revoked since
 * the token was issued, and the app must send the user back to /authorize (AADSTS65001).
 * Cheap by design: without a cache, one query for the service principal, the user's groups and
 * the client's grants (assignment is only looked up when the app requires it); with the OAuth
 * catalog's cache (`cached`), the same inputs as the evaluation at /authorize, from memory.
 */

export type AccessCheck =
  | { ok: true }
  | { ok: false; code: 7000112 | 50105 | 65001; message: string };

interface Row {
  id: string;
  account_enabled: boolean;
  blocked: boolean;
  app_role_assignment_required: boolean;
  group_ids: string[];
  resource_app_id: string | null;
  grants: Array<{
    consent_type: DelegatedGrant["consentType"];
    principal_id: string | null;
    group_ids: string[];
    resource_app_id: string;
    scopes: string[];
    expires_at: string | null;
  }>;
}

async function loadRow(db: Kysely<IdentityDB>, request: ConsentRequest): Promise<Row | undefined> {
  const { tenantId, userId, application } = request;
  const uri = request.resource?.identifierUri ?? MAIL_RESOURCE.identifierUri;
  // A resource without an Application ID URI is named "api://{appId}" (resourceIdentifierUri).
  const byAppId = /^api:\/\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(
    uri,
  )?.[1];
  const result = await sql<Row>`
    select sp.id, sp.account_enabled, sp.blocked, sp.app_role_assignment_required,
      coalesce((select jsonb_agg(m.group_id) from identity.group_members m
        where m.tenant_id = sp.tenant_id and m.user_id = ${userId}), '[]'::jsonb) as group_ids,
      (select a.app_id::text from identity.applications a
        where a.identifier_uris @> ${JSON.stringify([uri])}::jsonb
          ${byAppId ? sql`or a.app_id = ${byAppId.toLowerCase()}` : sql``}
        order by a.created_at limit 1) as resource_app_id,
      coalesce((select jsonb_agg(jsonb_build_object(
          'consent_type', g.consent_type, 'principal_id', g.principal_id,
          'group_ids', g.group_ids, 'resource_app_id', r.app_id, 'scopes', g.scopes,
          'expires_at', g.expires_at))
        from identity.oauth2_permission_grants g
        join identity.applications r on r.id = g.resource_application_id
        where g.tenant_id = sp.tenant_id and g.client_service_principal_id = sp.id
          and (g.consent_type <> 'Principal' or g.principal_id = ${userId})), '[]'::jsonb) as grants
    from identity.service_principals sp
    where sp.tenant_id = ${tenantId} and sp.application_id = ${application.id}`.execute(db);
  return result.rows[0];
}

/** What the check decides from. */
interface AccessFacts {
  servicePrincipal: {
    accountEnabled: boolean;
    blocked: boolean;
    appRoleAssignmentRequired: boolean;
  };
  roles: readonly DirectoryRoleKey[];
  groupIds: readonly string[];
  assigned: boolean;
  /** The app id of the resource the request names, if it names one that exists. */
  resourceAppId: string | null;
  grants: readonly DelegatedGrant[];
}

async function databaseFacts(
  db: Kysely<IdentityDB>,
  request: ConsentRequest,
): Promise<AccessFacts | undefined> {
  const row = await loadRow(db, request);
  if (!row) return undefined;
  let assigned = false;
  let roles: DirectoryRoleKey[] = [];
  if (row.app_role_assignment_required) {
    assigned = await isUserAssigned(db, request.tenantId, row.id, request.userId);
    if (!assigned)
      roles = (await rolesOfUser(db, request.tenantId, request.userId)) as DirectoryRoleKey[];
  }
  return {
    servicePrincipal: {
      accountEnabled: row.account_enabled,
      blocked: row.blocked,
      appRoleAssignmentRequired: row.app_role_assignment_required,
    },
    roles,
    groupIds: row.group_ids,
    assigned,
    resourceAppId: row.resource_app_id,
    grants: row.grants.map((g) => ({
      consentType: g.consent_type,
      principalId: g.principal_id,
      groupIds: g.group_ids,
      resourceAppId: g.resource_app_id,
      scopes: g.scopes,
      expiresAt: g.expires_at === null ? null : new Date(g.expires_at),
    })),
  };
}

async function cachedFacts(
  db: Kysely<IdentityDB>,
  request: ConsentRequest,
  cached: ConsentInputCache,
): Promise<AccessFacts | undefined> {
  const inputs = new ConsentInputs(db, request.tenantId, cached);
  const sp = await inputs.servicePrincipal(request.application.id);
  if (!sp) return undefined;
  const { roles, groupIds } = await inputs.membership(request.userId);
  const uri = request.resource?.identifierUri;
  const resource = uri ? await inputs.resource(uri) : undefined;
  return {
    servicePrincipal: sp,
    roles,
    groupIds,
    assigned: sp.appRoleAssignmentRequired ? await inputs.assigned(sp.id, request.userId) : false,
    resourceAppId: resource?.appId ?? null,
    grants: await inputs.grants(sp.id, request.userId),
  };
}

/**
 * @example
 * const check = await checkDelegatedAccess(db, { tenantId, application, userId, oidcScopes: ["openid"] });
 * if (!check.ok) throw entraError(check.code, check.message);
 */
export async function checkDelegatedAccess(
  db: Kysely<IdentityDB>,
  request: ConsentRequest,
  now: Date = new Date(),
  cached?: ConsentInputCache,
): Promise<AccessCheck> {
  const { application } = request;
  const name = `"${application.displayName}" (${application.appId})`;
  const notGranted: AccessCheck = {
    ok: false,
    code: 65001,
    message: `The user or administrator has not consented to use the application ${name}, or the consent was revoked. Send an interactive authorization request for this user and resource.`,
  };
  if (!isUuid(request.tenantId) || !isUuid(request.userId)) return notGranted;
  const facts = cached ? await cachedFacts(db, request, cached) : await databaseFacts(db, request);
  if (!facts) return notGranted;
  const { grants } = facts;
  const parts: Array<{ resourceAppId: string; scopes: readonly string[] }> = [];
  const resourceScopes = request.resource?.scopes ?? [];
  if (request.oidcScopes.length > 0)
    parts.push({ resourceAppId: MAIL_RESOURCE.appId, scopes: request.oidcScopes });
  if (resourceScopes.length > 0) {
    if (!facts.resourceAppId) return notGranted;
    parts.push({ resourceAppId: facts.resourceAppId, scopes: resourceScopes });
  }
  if (parts.length === 0) parts.push({ resourceAppId: MAIL_RESOURCE.appId, scopes: [] });
  for (const part of parts) {
    const decision = decideConsent({
      now,
      // Policies and classifications only tell the rows after "granted" apart: not needed here.
      tenant: {
        id: request.tenantId,
        userConsentPolicies: [],
        adminConsentWorkflowEnabled: false,
        classifications: {},
      },
      client: {
        appId: application.appId,
        publisherTenantId: application.tenantId,
        publisherVerified: application.publisherVerified,
        multiTenant: application.signInAudience === "AzureADMultipleOrgs",
      },
      servicePrincipal: facts.servicePrincipal,
      user: {
        id: request.userId,
        roles: facts.roles,
        groupIds: facts.groupIds,
        assigned: facts.assigned,
      },
      resource: { appId: part.resourceAppId, scopes: [] },
      requestedScopes: part.scopes,
      grants,
    });
    if (decision.kind === "app_disabled")
      return {
        ok: false,
        code: 7000112,
        message: `The application ${name} is ${decision.reason === "blocked" ? "blocked" : "disabled"} in this tenant.`,
      };
    if (decision.kind === "not_assigned")
      return {
        ok: false,
        code: 50105,
        message: `The signed in user is not assigned to a role for the application ${name}.`,
      };
    if (decision.kind !== "granted") return notGranted;
  }
  return { ok: true };
}
