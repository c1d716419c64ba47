import type { KoaContextWithOIDC } from "oidc-provider";
import { isOidcScope } from "../../apps/index.ts";
import { decideAccess } from "../access-decision.ts";
import { entraError } from "../errors/entra-error.ts";
import { requestContextOf } from "../errors/request-context.ts";
import { consentInputCache } from "./consent-cache.ts";
import type { TenantRuntime } from "./runtime.ts";

/**
 * Which claims each scope releases. `tid` and `oid` go with `openid`, as Entra puts them in
 * every ID token; `preferred_username` and `name` with `profile`; `email` with `email`.
 */
export const CLAIMS = {
  openid: ["sub", "tid", "oid"],
  profile: ["name", "preferred_username"],
  email: ["email"],
};

/**
 * At the token endpoint (code redemption, refresh) the access decision runs again, so an app
 * disabled or a user unassigned since sign-in gets no new tokens (Entra: 7000112, 50105).
 * Its inputs come from the tenant's catalog, current as of the request (consent-cache.ts).
 */
async function checkAccessAtTokenEndpoint(
  ctx: KoaContextWithOIDC,
  rt: TenantRuntime,
  userId: string,
): Promise<void> {
  const { client, entities } = ctx.oidc;
  if (ctx.oidc.route !== "token" || !client) return;
  const application = (await rt.catalog.apps.client(client.clientId))?.application;
  if (!application) return;
  const source = entities.RefreshToken ?? entities.AuthorizationCode;
  const scopes = (source?.scope ?? "").split(" ").filter(Boolean);
  const resource = typeof source?.resource === "string" ? source.resource : undefined;
  const decision = await decideAccess(
    rt.db,
    {
      tenantId: rt.tenant.id,
      application,
      userId,
      oidcScopes: scopes.filter(isOidcScope),
      resource: resource
        ? { identifierUri: resource, scopes: scopes.filter((s) => !isOidcScope(s)) }
        : undefined,
      correlationId: requestContextOf(ctx.req).correlationId,
    },
    consentInputCache(rt.catalog),
  );
  if (decision.outcome === "denied") throw entraError(decision.code, decision.message);
}

/**
 * oidc-provider's `findAccount`: the directory user whose id is the subject. A user disabled
 * since they signed in gets AADSTS50057 (sign-in, refresh and userinfo alike).
 */
export function accountFinder(rt: TenantRuntime) {
  return async (ctx: KoaContextWithOIDC, sub: string) => {
    const user = await rt.catalog.users.user(sub);
    if (!user) return undefined;
    if (!user.enabled) throw entraError(50057, "The user account is disabled.");
    await checkAccessAtTokenEndpoint(ctx, rt, user.id);
    return {
      accountId: user.id,
      async claims() {
        return {
          sub: user.id,
          tid: rt.tenant.id,
          oid: user.id,
          name: user.displayName,
          preferred_username: user.userPrincipalName,
          // User principal names are email-shaped; Assent has no separate mail attribute yet.
          email: user.userPrincipalName,
        };
      },
    };
  };
}
