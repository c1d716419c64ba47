import type { KoaContextWithOIDC } from "oidc-provider";
import { acceptScopes, type NormalisedScopes } from "../scopes.ts";
import { applicationIdOf } from "./clients.ts";
import type { TenantRuntime } from "./runtime.ts";

const KEY = "assentScopes";

/** The request's normalised scopes, once `normaliseRequestScopes` has run for it. */
export function requestScopes(ctx: KoaContextWithOIDC): NormalisedScopes | undefined {
  return ctx.state[KEY] as NormalisedScopes | undefined;
}

/**
 * The scope exactly as the authorization request sent it. oidc-provider drops `offline_access`
 * unless prompt=consent is also sent (its reading of OpenID Connect Core 1.0 section 11), but
 * section 11 also allows offline access when "other conditions for processing the request
 * permitting offline access" hold: here the access decision (access-decision.ts) is that
 * condition, as in Entra, whose clients (MSAL) never send prompt=consent for a refresh token.
 */
function rawScope(ctx: KoaContextWithOIDC): string | undefined {
  if (ctx.oidc.route !== "authorization") return undefined;
  const scope = ctx.query.scope;
  return typeof scope === "string" ? scope : undefined;
}

/**
 * Normalises the request's Entra-style `scope` parameter in place, once per request, and
 * returns it: delegated scopes at the authorization endpoint, `{resource}/.default` for client
 * credentials. Runs inside oidc-provider's pipeline (from the resource indicator hooks, after
 * the client and redirect_uri are validated), so a bad scope is answered like any other
 * authorization error: redirected to the app with its Entra code.
 */
export async function normaliseRequestScopes(
  ctx: KoaContextWithOIDC,
  rt: TenantRuntime,
): Promise<NormalisedScopes | undefined> {
  const done = requestScopes(ctx);
  if (done) return done;
  const params = ctx.oidc.params;
  if (!params) return undefined;
  const scope = rawScope(ctx) ?? (typeof params.scope === "string" ? params.scope : undefined);
  if (!scope) return undefined;
  const appOnly = ctx.oidc.route === "token" && params.grant_type === "client_credentials";
  const applicationId = applicationIdOf(ctx.oidc.client);
  if (!applicationId) return undefined;
  const catalog = rt.catalog.apps;
  const normalised = acceptScopes(
    appOnly
      ? await catalog.appOnlyScopes(scope)
      : await catalog.delegatedScopes(applicationId, scope),
  );
  const refreshable = ctx.oidc.client?.grantTypes;
  if (Array.isArray(refreshable) && !refreshable.includes("refresh_token"))
    normalised.oidcScopes = normalised.oidcScopes.filter((s) => s !== "offline_access");
  normalised.scope = [...normalised.oidcScopes, ...normalised.resourceScopes].join(" ");
  params.scope = normalised.scope || undefined;
  ctx.state[KEY] = normalised;
  return normalised;
}
