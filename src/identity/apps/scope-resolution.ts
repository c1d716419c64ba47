import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import { isOidcScope, MAIL_RESOURCE, type OidcScope } from "./mail-resource.ts";
import { isUuid } from "./names.ts";
import { selectRequiredScopeValues, selectScopes } from "./permission-queries.ts";
import { findResourceApplication, resourceIdentifierUri } from "./resource-ref.ts";
import { DEFAULT_SUFFIX, normaliseRequested, parseScopeToken } from "./scope-request.ts";
import type { Application } from "./types.ts";

export type ScopeResolutionError =
  | "unknown_resource"
  | "unknown_scope"
  | "multiple_resources"
  | "invalid_scope";

/** The resource a token is for, as the OAuth layer needs it. */
export interface ResolvedResource {
  /** Object id. */
  applicationId: string;
  /** Client id: the `aud` of its access tokens. */
  appId: string;
  identifierUri: string;
  displayName: string;
}

export type ScopeResolution =
  | {
      ok: true;
      resource: ResolvedResource;
      /** The subset of openid, profile, email, offline_access requested, in request order. */
      oidcScopes: string[];
      /** Bare permission values on the resource, canonical case, e.g. ["Mail.Read"]. */
      resourceScopes: string[];
      /** True when `{resource}/.default` was requested. */
      isDefault: boolean;
    }
  | {
      ok: false;
      error: ScopeResolutionError;
      message: string;
      /** The Entra error code for the same situation (AADSTS number). */
      entraCode: number;
    };

// Entra codes: 500011 resource principal not found; 28000 more than one resource; 650053
// scope does not exist on the resource; 70011 invalid scope; 1002012 client credentials
// without "/.default".
const fail = (
  error: ScopeResolutionError,
  message: string,
  entraCode: number,
): ScopeResolution & { ok: false } => ({ ok: false, error, message, entraCode });

function toResolved(application: Application): ResolvedResource {
  return {
    applicationId: application.id,
    appId: application.appId,
    identifierUri: resourceIdentifierUri(application),
    displayName: application.displayName,
  };
}

/**
 * Resolves the refs to applications; fails unless they all name one resource (AADSTS28000:
 * one access token has one audience).
 */
async function resolveOneResource(
  db: Kysely<IdentityDB>,
  refs: Array<string | undefined>,
  tenantId: string | undefined,
): Promise<Application | (ScopeResolution & { ok: false })> {
  const found = new Map<string, Application>();
  for (const ref of new Set(refs)) {
    const application = await findResourceApplication(db, ref ?? MAIL_RESOURCE.appId, {
      tenantId,
    });
    if (!application)
      return fail(
        "unknown_resource",
        `The resource "${ref ?? MAIL_RESOURCE.identifierUri}" was not found${tenantId ? " in this tenant" : ""}: no application has that Application ID URI or app id. Check the resource part of the scope.`,
        500011,
      );
    found.set(application.id, application);
  }
  const applications = [...found.values()];
  if (applications.length > 1)
    return fail(
      "multiple_resources",
      `The scope names more than one resource (${applications
        .map(resourceIdentifierUri)
        .join(
          ", ",
        )}): a token is for one resource, so request each resource's scopes in a separate request.`,
      28000,
    );
  const [only] = applications;
  if (!only) throw new Error("no resource to resolve");
  return only;
}

/**
 * Resolves a delegated request's `scope` values (Entra-compatible):
 * `{identifierUri}/{value}` or `{appId}/{value}`, a bare value meaning Assent Mail,
 * `{resource}/.default` meaning every enabled delegated permission the client statically
 * requires there, and the OpenID Connect scopes, which are never resource-qualified. Only
 * OIDC scopes: the resource is Assent Mail with no resource scopes. Pass `tenantId` (the
 * tenant the token is for) so another tenant's single-tenant API is not found.
 *
 * @example
 * await resolveScopes(db, { clientApplicationId: app.id, requested: ["openid", "Mail.Read"] });
 * // { ok: true, resource: { appId: "00000003-…a55e", identifierUri: "api://assent-mail", … },
 * //   oidcScopes: ["openid"], resourceScopes: ["Mail.Read"], isDefault: false }
 */
export async function resolveScopes(
  db: Kysely<IdentityDB>,
  input: { clientApplicationId: string; requested: readonly string[]; tenantId?: string },
): Promise<ScopeResolution> {
  const tokens = normaliseRequested(input.requested).map(parseScopeToken);
  if (tokens.length === 0)
    return fail("invalid_scope", "No scope was requested: the scope parameter is required.", 70011);
  const oidcScopes: OidcScope[] = [];
  const wanted: Array<{ raw: string; resourceRef: string | undefined; value: string }> = [];
  for (const token of tokens) {
    if (token.kind === "invalid") return fail("invalid_scope", `${token.reason}.`, 70011);
    if (token.kind === "oidc") oidcScopes.push(token.value);
    else wanted.push(token);
  }
  const resource = await resolveOneResource(
    db,
    wanted.length === 0 ? [undefined] : wanted.map((w) => w.resourceRef),
    input.tenantId,
  );
  if ("ok" in resource) return resource;
  const resolved = toResolved(resource);
  const isDefault = wanted.some((w) => w.value === DEFAULT_SUFFIX);
  if (isDefault) {
    const others = wanted.filter((w) => w.value !== DEFAULT_SUFFIX);
    if (others.length > 0)
      return fail(
        "invalid_scope",
        `"${others[0]?.raw}" cannot be combined with "${resolved.identifierUri}/.default", which already stands for every permission the application requires there.`,
        70011,
      );
    const required = isUuid(input.clientApplicationId)
      ? await selectRequiredScopeValues(db, input.clientApplicationId, resource.id)
      : [];
    return {
      ok: true,
      resource: resolved,
      oidcScopes,
      resourceScopes: [...new Set(required.filter((v) => !isOidcScope(v)))],
      isDefault: true,
    };
  }
  const exposed = await selectScopes(db, resource.id);
  const resourceScopes: string[] = [];
  for (const w of wanted) {
    const scope =
      exposed.find((s) => s.value === w.value) ??
      exposed.find((s) => s.value.toLowerCase() === w.value.toLowerCase());
    if (!scope?.enabled)
      return fail(
        "unknown_scope",
        `The scope "${w.value}" ${scope ? "is disabled" : "does not exist"} on the resource ${resolved.displayName} (${resolved.identifierUri}).`,
        650053,
      );
    if (!resourceScopes.includes(scope.value)) resourceScopes.push(scope.value);
  }
  return { ok: true, resource: resolved, oidcScopes, resourceScopes, isDefault: false };
}

/**
 * Resolves the `scope` of a client credentials request, which must be exactly one
 * `{resource}/.default` (Entra AADSTS1002012): an app-only token carries the application
 * permissions granted to the client, never a list of scopes. The result has no OIDC or
 * resource scopes: the token's `roles` come from `grantedAppRoleValues`.
 *
 * @example
 * await resolveAppOnlyScope(db, ["api://assent-mail/.default"]);
 */
export async function resolveAppOnlyScope(
  db: Kysely<IdentityDB>,
  requested: readonly string[],
  options: { tenantId?: string } = {},
): Promise<ScopeResolution> {
  const tokens = normaliseRequested(requested);
  const suffix = `/${DEFAULT_SUFFIX}`;
  const bad = tokens.find((t) => !t.endsWith(suffix) || t.length === suffix.length);
  if (tokens.length === 0 || bad !== undefined)
    return fail(
      "invalid_scope",
      `The scope "${bad ?? ""}" is not valid for client credentials: it must be the resource's Application ID URI followed by "/.default", e.g. "${MAIL_RESOURCE.identifierUri}/.default".`,
      1002012,
    );
  const resource = await resolveOneResource(
    db,
    tokens.map((t) => t.slice(0, -suffix.length)),
    options.tenantId,
  );
  if ("ok" in resource) return resource;
  return {
    ok: true,
    resource: toResolved(resource),
    oidcScopes: [],
    resourceScopes: [],
    isDefault: true,
  };
}
