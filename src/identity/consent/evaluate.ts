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
import { groupIdsOfUser, isUuid, rolesOfUser } from "../directory/index.ts";
import { classificationsFor } from "./classifications.ts";
import { userConsentPolicies } from "./grant-policies.ts";
import { selectGrantsForUser } from "./grant-queries.ts";
import type { PermissionClassification, PermissionGrantPolicy } from "./permission-grant-policy.ts";
import {
  type ConsentInput,
  type DelegatedGrant,
  type DirectoryRoleKey,
  decideConsent,
} from "./policy.ts";
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

/**
 * The kinds of input the decision loads. A caller that keeps inputs per node (the OAuth
 * catalog, src/identity/oauth/provider/catalog.ts) passes a `ConsentInputCache`; each kind must
 * then be guarded by the database version counters of the tables it reads, so that a change
 * committed before a request is seen by it:
 *
 * | kind | tables | counter |
 * |---|---|---|
 * | servicePrincipal | service_principals (blocked included) | tenant |
 * | assignment | app_role_assignments, group_members | tenant and users |
 * | resource, exposedScopes | applications, application_scopes | tenant, applications |
 * | userConsentPolicies | consent_settings, permission_grant_policies | tenant |
 * | classifications | permission_classifications | tenant |
 * | membership | directory_role_assignments, group_members | users |
 * | grants | oauth2_permission_grants | grants |
 */
export type ConsentInputKind =
  | "servicePrincipal"
  | "assignment"
  | "resource"
  | "exposedScopes"
  | "userConsentPolicies"
  | "classifications"
  | "membership"
  | "grants";

/**
 * Returns the value stored for (kind, key) or stores and returns what `load` gives. Values may
 * be shared between requests: they are never changed by the decision.
 */
export type ConsentInputCache = <T>(
  kind: ConsentInputKind,
  key: string,
  load: () => Promise<T>,
) => Promise<T>;

/** Every input read from the database, every time. */
const uncached: ConsentInputCache = (_kind, _key, load) => load();

/** The client's service principal in the tenant with its `blocked` flag; undefined if none. */
export type ServicePrincipalState = ServicePrincipal & { blocked: boolean };

async function selectServicePrincipalState(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
): Promise<ServicePrincipalState | undefined> {
  const row = await db
    .selectFrom("identity.service_principals as sp")
    .innerJoin("identity.applications as a", "a.id", "sp.application_id")
    .select([
      "sp.id",
      "sp.tenant_id",
      "sp.application_id",
      "a.app_id",
      "sp.account_enabled",
      "sp.app_role_assignment_required",
      "sp.visible_to_users",
      "sp.notes",
      "sp.blocked",
    ])
    .where("sp.tenant_id", "=", tenantId)
    .where("sp.application_id", "=", applicationId)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      tenantId: row.tenant_id,
      applicationId: row.application_id,
      appId: row.app_id,
      accountEnabled: row.account_enabled,
      appRoleAssignmentRequired: row.app_role_assignment_required,
      visibleToUsers: row.visible_to_users,
      notes: row.notes,
      blocked: row.blocked,
    }
  );
}

/**
 * The decision's inputs for one tenant, each loaded through `cached` under its kind (so the
 * evaluation at /authorize and the access check at the token endpoint share what they load).
 * A class, not an object of closures: it is made for every request.
 */
export class ConsentInputs {
  readonly #db: Kysely<IdentityDB>;
  readonly #tenantId: string;
  readonly #cached: ConsentInputCache;

  constructor(db: Kysely<IdentityDB>, tenantId: string, cached: ConsentInputCache = uncached) {
    this.#db = db;
    this.#tenantId = tenantId;
    this.#cached = cached;
  }

  servicePrincipal(applicationId: string): Promise<ServicePrincipalState | undefined> {
    return this.#cached("servicePrincipal", applicationId, () =>
      selectServicePrincipalState(this.#db, this.#tenantId, applicationId),
    );
  }

  /** Directory roles and group ids of the user. */
  membership(
    userId: string,
  ): Promise<{ roles: readonly DirectoryRoleKey[]; groupIds: readonly string[] }> {
    return this.#cached("membership", userId, async () => ({
      roles: (await rolesOfUser(this.#db, this.#tenantId, userId)) as DirectoryRoleKey[],
      groupIds: await groupIdsOfUser(this.#db, this.#tenantId, userId),
    }));
  }

  assigned(servicePrincipalId: string, userId: string): Promise<boolean> {
    return this.#cached("assignment", `${servicePrincipalId} ${userId}`, () =>
      isUserAssigned(this.#db, this.#tenantId, servicePrincipalId, userId),
    );
  }

  /** A resource by app id or Application ID URI, as seen from the tenant. */
  resource(ref: string): Promise<Application | undefined> {
    return this.#cached("resource", ref, () =>
      findResourceApplication(this.#db, ref, { tenantId: this.#tenantId }),
    );
  }

  exposedScopes(applicationId: string): Promise<readonly ExposedScope[]> {
    return this.#cached("exposedScopes", applicationId, () =>
      listExposedScopes(this.#db, applicationId),
    );
  }

  userConsentPolicies(): Promise<{
    policies: readonly PermissionGrantPolicy[];
    adminConsentWorkflowEnabled: boolean;
  }> {
    return this.#cached("userConsentPolicies", "", () =>
      userConsentPolicies(this.#db, this.#tenantId),
    );
  }

  classifications(
    resourceApplicationId: string,
  ): Promise<Readonly<Record<string, PermissionClassification>>> {
    return this.#cached("classifications", resourceApplicationId, async () => {
      const found = await classificationsFor(this.#db, this.#tenantId, [resourceApplicationId]);
      return found.get(resourceApplicationId) ?? {};
    });
  }

  /** The client's grants that can apply to the user (tenant-wide, theirs, group grants). */
  grants(servicePrincipalId: string, userId: string): Promise<readonly DelegatedGrant[]> {
    return this.#cached("grants", `${servicePrincipalId} ${userId}`, async () =>
      toDelegatedGrants(
        await selectGrantsForUser(this.#db, this.#tenantId, servicePrincipalId, userId),
      ),
    );
  }
}

/** The request's scopes by resource: OIDC scopes go to Assent Mail. */
async function requestedResources(
  inputs: ConsentInputs,
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
    const found = await inputs.resource(MAIL_RESOURCE.appId);
    if (!found) throw new Error("the Assent Mail resource is missing: migrations did not run");
    return found;
  };
  if (request.oidcScopes.length > 0) add(await mail(), request.oidcScopes);
  if (request.resource && request.resource.scopes.length > 0) {
    const resource = await inputs.resource(request.resource.identifierUri);
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

/**
 * The client's service principal, created on first use as Entra does (the creation is never
 * cached: it bumps the tenant's cache version, so the next request loads it afresh).
 */
async function ensureServicePrincipalState(
  db: Kysely<IdentityDB>,
  inputs: ConsentInputs,
  request: ConsentRequest,
): Promise<ServicePrincipalState> {
  const { tenantId, application } = request;
  // Malformed ids are left to ensureServicePrincipal, whose 404s say what is wrong.
  const wellFormed = isUuid(tenantId) && isUuid(application.id);
  const found = wellFormed ? await inputs.servicePrincipal(application.id) : undefined;
  if (found) return found;
  await ensureServicePrincipal(db, tenantId, application.id, {
    ...(request.correlationId ? { correlationId: request.correlationId } : {}),
  });
  const created = await selectServicePrincipalState(db, tenantId, application.id);
  if (!created) throw new Error("service principal vanished after creation");
  return created;
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
 * The consent decision for a request, with everything the screens show. `cached` lets the OAuth
 * catalog serve the inputs from memory (see ConsentInputKind); by default they are read from
 * the database.
 *
 * @example
 * const { decision } = await evaluateConsent(db, { tenantId, application, userId,
 *   oidcScopes: ["openid"], resource: { identifierUri: "api://assent-mail", scopes: ["Mail.Read"] } });
 */
export async function evaluateConsent(
  db: Kysely<IdentityDB>,
  request: ConsentRequest,
  now: Date = new Date(),
  cached: ConsentInputCache = uncached,
): Promise<ConsentEvaluation> {
  const { tenantId, application, userId } = request;
  const inputs = new ConsentInputs(db, tenantId, cached);
  const sp = await ensureServicePrincipalState(db, inputs, request);
  const { roles, groupIds } = await inputs.membership(userId);
  const assigned = sp.appRoleAssignmentRequired ? await inputs.assigned(sp.id, userId) : false;
  const user = { id: userId, roles: [...roles], groupIds: [...groupIds], assigned };
  const parts = await requestedResources(inputs, request);
  const { policies, adminConsentWorkflowEnabled } = await inputs.userConsentPolicies();
  const grants = await inputs.grants(sp.id, userId);
  const resources: RequestedResource[] = [];
  const decisions = [];
  for (const part of parts) {
    const exposed = [...(await inputs.exposedScopes(part.application.id))];
    const classifications = await inputs.classifications(part.application.id);
    resources.push({ ...part, exposed });
    const input: ConsentInput = {
      now,
      tenant: {
        id: tenantId,
        userConsentPolicies: policies,
        adminConsentWorkflowEnabled,
        classifications,
      },
      client: {
        appId: application.appId,
        publisherTenantId: application.tenantId,
        publisherVerified: application.publisherVerified,
        multiTenant: application.signInAudience === "AzureADMultipleOrgs",
      },
      servicePrincipal: {
        accountEnabled: sp.accountEnabled,
        blocked: sp.blocked,
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
    servicePrincipal: { ...sp },
    user,
    resources,
    decision: combineDecisions(decisions),
  };
}
