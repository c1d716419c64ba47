import type { InteractionInstance } from "oidc-provider";
import {
  type Application,
  findApplicationByAppId,
  isOidcScope,
  MAIL_RESOURCE,
} from "../../apps/index.ts";
import {
  type ConsentEvaluation,
  type ConsentRequest,
  evaluateConsent,
  type RequestedResource,
} from "../../consent/index.ts";
import { getUser, type User } from "../../directory/index.ts";
import type { AppIdentity, PermissionItem } from "../../pages/index.ts";
import type { OAuthDeps } from "../provider/runtime.ts";

/**
 * The consent decision as the interaction pages work with it: recomputed on every page and
 * every POST from what is stored now (never from what a page or form says), with the texts the
 * screens show.
 */
export interface ConsentState {
  user: User;
  application: Application;
  evaluation: ConsentEvaluation;
  app: AppIdentity;
  /** Missing permissions, and the value the form echoes for them (`{resourceAppId}/{value}`). */
  missing: PermissionItem[];
  missingField: string;
  granted: PermissionItem[];
}

function words(value: unknown): string[] {
  return typeof value === "string" ? value.split(" ").filter(Boolean) : [];
}

/**
 * The request an interaction continues, from its stored (already normalised) parameters:
 * OIDC scopes, and the bare permission values of the resource its `resource` names.
 */
export function requestOf(
  params: InteractionInstance["params"],
): Pick<ConsentRequest, "oidcScopes" | "resource"> {
  const scopes = words(params.scope);
  const resource = typeof params.resource === "string" ? params.resource : undefined;
  const resourceScopes = scopes.filter((s) => !isOidcScope(s));
  return {
    oidcScopes: scopes.filter(isOidcScope),
    resource:
      resourceScopes.length > 0
        ? { identifierUri: resource ?? MAIL_RESOURCE.identifierUri, scopes: resourceScopes }
        : undefined,
  };
}

function items(
  resources: readonly RequestedResource[],
  parts: ReadonlyArray<{ resourceAppId: string; values: readonly string[] }>,
): PermissionItem[] {
  return parts.flatMap((part) => {
    const resource = resources.find((r) => r.application.appId === part.resourceAppId);
    return part.values.map((value) => {
      const scope = resource?.exposed.find((s) => s.value === value);
      return {
        value,
        title: scope?.userConsentDisplayName ?? scope?.adminConsentDisplayName ?? value,
        description: scope?.userConsentDescription ?? scope?.adminConsentDescription ?? "",
        resourceName: resource?.application.displayName ?? part.resourceAppId,
        kind: "delegated" as const,
      };
    });
  });
}

/** Loads the state of the interaction's consent step; undefined when user or app is gone. */
export async function loadConsentState(
  deps: OAuthDeps,
  tenantId: string,
  details: InteractionInstance,
  correlationId: string,
): Promise<ConsentState | undefined> {
  const accountId = details.session?.accountId;
  const clientId = details.params.client_id;
  if (!accountId || typeof clientId !== "string") return undefined;
  const [user, application] = await Promise.all([
    getUser(deps.db, tenantId, accountId),
    findApplicationByAppId(deps.db, clientId),
  ]);
  if (!user?.enabled || !application) return undefined;
  const evaluation = await evaluateConsent(deps.db, {
    tenantId,
    application,
    userId: user.id,
    ...requestOf(details.params),
    correlationId,
  });
  const { decision } = evaluation;
  const parts = "parts" in decision ? decision.parts : [];
  const missingPairs = parts.flatMap((p) => p.missing.map((v) => `${p.resourceAppId}/${v}`));
  return {
    user,
    application,
    evaluation,
    app: {
      name: application.displayName,
      appId: application.appId,
      logoUrl: application.logoUrl,
      publisherName: application.publisherDisplayName,
      publisherVerified: application.publisherVerified,
    },
    missing: items(
      evaluation.resources,
      parts.map((p) => ({ resourceAppId: p.resourceAppId, values: p.missing })),
    ),
    missingField: missingPairs.sort().join(" "),
    granted: items(
      evaluation.resources,
      parts.map((p) => ({ resourceAppId: p.resourceAppId, values: p.granted })),
    ),
  };
}

/** The posted `permissions` field, normalised the way `missingField` is. */
export function normalisePermissionsField(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length > 8192) return undefined;
  return words(value).sort().join(" ");
}

/**
 * What the decision still misses, by resource, as a consent request names it: the resource's
 * application id (applications.id) and bare permission values (OIDC scopes under Assent Mail).
 */
export function missingByResource(
  state: ConsentState,
): Array<{ resourceApplicationId: string; scopes: string[] }> {
  const { decision, resources } = state.evaluation;
  if (!("parts" in decision)) return [];
  return decision.parts.flatMap((p) => {
    const resource = resources.find((r) => r.application.appId === p.resourceAppId);
    return resource && p.missing.length > 0
      ? [{ resourceApplicationId: resource.application.id, scopes: [...p.missing] }]
      : [];
  });
}
