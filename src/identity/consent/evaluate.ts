import type { Kysely } from "kysely";
import { ApiError } from "../../platform/http/errors.ts";
import {
  type Application,
  type ExposedScope,
  ensureServicePrincipal,
  findResourceApplication,
  isUserAssigned,
  listExposedScopes,
  MAIL_RESOURCE,
  type ServicePrincipal,
} from "../apps/index.ts";
import type { IdentityDB } from "../db.ts";
import { groupIdsOfUser, rolesOfUser } from "../directory/index.ts";
import { classificationsFor } from "./classifications.ts";
import { userConsentPolicies } from "./grant-policies.ts";
import { selectGrantsForUser } from "./grant-queries.ts";
import { type ConsentInput, type DelegatedGrant, decideConsent } from "./policy.ts";
import { combineDecisions, type RequestDecision } from "./request-decision.ts";

/**
 * Loads the inputs of the consent decision for one authorization request, runs the pure
 * decision per resource (policy.ts) and folds the results (request-decision.ts). No writes other
 * than creating the client's service principal on first use, as Entra does.
 */

/** What a delegated (user) authorization request asks for. */
export interface ConsentRequest {
  tenantId: string;
  /** The client application. */
  application: Application;
  userId: string;
  /** openid, profile, email, offline_access: Assent Mail's, as Entra's are Microsoft Graph's. */
  oidcScopes: readonly string[];
  /** The resource's identifier URI and the bare permission values asked there, if any. */
  resource?: { identifierUri: string; scopes: readonly string[] } | undefined;
  correlationId?: string | undefined;
}

/** One resource of the request, with its permissions' descriptions for the screens. */
export interface RequestedResource {
  application: Application;
  exposed: ExposedScope[];
  requested: string[];
}

export interface ConsentEvaluation {
  client: Application;
  servicePrincipal: ServicePrincipal & { blocked: boolean };
  user: ConsentInput["user"];
  resources: RequestedResource[];
  decision: RequestDecision;
}

/** The request's scopes by resource: OIDC scopes go to Assent Mail. */
async function requestedResources(
  db: Kysely<IdentityDB>,
  request: ConsentRequest,
): Promise<Array<{ application: Application; requested: string[] }>> {
  const parts = new Map<string, { application: Application; requested: string[] }>();
  const add = (application: Application, scopes: readonly string[]) => {
    if (scopes.length === 0) return;
    const part = parts.get(application.id) ?? { application, requested: [] };
    for (const s of scopes) if (!part.requested.includes(s)) part.requested.push(s);
    parts.set(application.id, part);
  };
  const mail = async () => {
    const found = await findResourceApplication(db, MAIL_RESOURCE.appId);
    if (!found) throw new Error("the Assent Mail resource is missing: migrations did not run");
    return found;
  };
  if (request.oidcScopes.length > 0) add(await mail(), request.oidcScopes);
  if (request.resource && request.resource.scopes.length > 0) {
    const resource = await findResourceApplication(db, request.resource.identifierUri, {
      tenantId: request.tenantId,
    });
    if (!resource)
      throw new ApiError(
        400,
        "consent.unknown_resource",
        `The resource "${request.resource.identifierUri}" does not exist in this tenant.`,
      );
    add(resource, request.resource.scopes);
  }
  // Nothing asked: the enterprise app's switches still decide (one empty part carries them).
  if (parts.size === 0) return [{ application: await mail(), requested: [] }];
  return [...parts.values()];
}

/** Blocked is read beside the service principal (the apps module does not carry it). */
async function isBlocked(db: Kysely<IdentityDB>, tenantId: string, spId: string) {
  const row = await db
    .selectFrom("identity.service_principals")
    .select("blocked")
    .where("tenant_id", "=", tenantId)
    .where("id", "=", spId)
    .executeTakeFirst();
  return row?.blocked ?? false;
}

export function toDelegatedGrants(
  grants: ReadonlyArray<{
    consentType: DelegatedGrant["consentType"];
    principalId: string | null;
    groupIds: readonly string[];
    resourceAppId: string;
    scopes: readonly string[];
    expiresAt: Date | null;
  }>,
): DelegatedGrant[] {
  return grants.map((g) => ({
    consentType: g.consentType,
    principalId: g.principalId,
    groupIds: g.groupIds,
    resourceAppId: g.resourceAppId,
    scopes: g.scopes,
    expiresAt: g.expiresAt,
  }));
}

/**
 * The consent decision for a request, with everything the screens show.
 *
 * @example
 * const { decision } = await evaluateConsent(db, { tenantId, application, userId,
 *   oidcScopes: ["openid"], resource: { identifierUri: "api://assent-mail", scopes: ["Mail.Read"] } });
 */
export async function evaluateConsent(
  db: Kysely<IdentityDB>,
  request: ConsentRequest,
  now: Date = new Date(),
): Promise<ConsentEvaluation> {
  const { tenantId, application, userId } = request;
  const sp = await ensureServicePrincipal(db, tenantId, application.id, {
    ...(request.correlationId ? { correlationId: request.correlationId } : {}),
  });
  const blocked = await isBlocked(db, tenantId, sp.id);
  const roles = await rolesOfUser(db, tenantId, userId);
  const groupIds = await groupIdsOfUser(db, tenantId, userId);
  const assigned = sp.appRoleAssignmentRequired
    ? await isUserAssigned(db, tenantId, sp.id, userId)
    : false;
  const user = { id: userId, roles, groupIds, assigned };
  const parts = await requestedResources(db, request);
  const { policies, adminConsentWorkflowEnabled } = await userConsentPolicies(db, tenantId);
  const classifications = await classificationsFor(
    db,
    tenantId,
    parts.map((p) => p.application.id),
  );
  const grants = toDelegatedGrants(await selectGrantsForUser(db, tenantId, sp.id, userId));
  const resources: RequestedResource[] = [];
  const decisions = [];
  for (const part of parts) {
    const exposed = await listExposedScopes(db, part.application.id);
    resources.push({ ...part, exposed });
    const input: ConsentInput = {
      now,
      tenant: {
        id: tenantId,
        userConsentPolicies: policies,
        adminConsentWorkflowEnabled,
        classifications: classifications.get(part.application.id) ?? {},
      },
      client: {
        appId: application.appId,
        publisherTenantId: application.tenantId,
        publisherVerified: application.publisherVerified,
        multiTenant: application.signInAudience === "AzureADMultipleOrgs",
      },
      servicePrincipal: {
        accountEnabled: sp.accountEnabled,
        blocked,
        appRoleAssignmentRequired: sp.appRoleAssignmentRequired,
      },
      user,
      resource: {
        appId: part.application.appId,
        scopes: exposed
          .filter((s) => s.enabled)
          .map((s) => ({ id: s.id, value: s.value, adminConsentRequired: s.adminConsentRequired })),
      },
      requestedScopes: part.requested,
      grants,
    };
    decisions.push({ resourceAppId: part.application.appId, decision: decideConsent(input) });
  }
  return {
    client: application,
    servicePrincipal: { ...sp, blocked },
    user,
    resources,
    decision: combineDecisions(decisions),
  };
}
