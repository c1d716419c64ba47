import type { KoaContextWithOIDC, TokenLike } from "oidc-provider";
import { isOidcScope } from "../../apps/index.ts";
import { entraError } from "../errors/entra-error.ts";
import { applicationIdOf } from "./clients.ts";
import { requestScopes } from "./request-scopes.ts";
import type { TenantRuntime } from "./runtime.ts";

function delegatedScopes(scope: string | undefined): string | undefined {
  const values = (scope ?? "").split(" ").filter((s) => s && !isOidcScope(s));
  return values.length > 0 ? values.join(" ") : undefined;
}

/**
 * Claims added to access tokens, Entra v2.0-shaped: `tid`, `oid`, `azp`, `ver`, and `scp`
 * (delegated permissions, space-separated) for user tokens or `roles` (application permissions
 * granted to the client's service principal) for app-only tokens. RFC 9068's `client_id` stays.
 */
export function tokenClaims(rt: TenantRuntime) {
  return async (ctx: KoaContextWithOIDC, token: TokenLike) => {
    const base = { tid: rt.tenant.id, azp: token.clientId, ver: "2.0" };
    if (token.kind === "ClientCredentials") {
      const applicationId = applicationIdOf(ctx.oidc.client);
      if (!applicationId) return base;
      const catalog = rt.catalog.apps;
      const application = token.clientId
        ? (await catalog.client(token.clientId))?.application
        : undefined;
      // Another publisher's multi-tenant app exists in this tenant only once it has an
      // enterprise app here (someone consented to it): until then, as in Entra, no app-only
      // token for this tenant, not even one without roles.
      const sp =
        application && application.tenantId !== rt.tenant.id
          ? await catalog.existingServicePrincipal(applicationId)
          : await catalog.servicePrincipal(applicationId);
      if (!sp)
        throw entraError(
          700016,
          `Application with identifier '${token.clientId}' was not found in the directory '${rt.tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
        );
      if (!sp.accountEnabled)
        throw entraError(7000112, "The application is disabled in this tenant.");
      const resource = requestScopes(ctx)?.resource;
      const roles = resource ? await catalog.grantedRoles(sp.id, resource.applicationId) : [];
      return { ...base, oid: sp.id, idtyp: "app", ...(roles.length > 0 ? { roles } : {}) };
    }
    if (token.kind !== "AccessToken" || !token.accountId) return base;
    const user = await rt.catalog.users.user(token.accountId);
    const scp = delegatedScopes(token.scope);
    return {
      ...base,
      oid: token.accountId,
      ...(user ? { name: user.displayName, preferred_username: user.userPrincipalName } : {}),
      ...(scp ? { scp } : {}),
    };
  };
}

/**
 * Shapes JWT access tokens like Entra's: permissions travel in `scp`/`roles`, not `scope`, and
 * an app-only token's subject is the client's service principal (its `oid`).
 */
export async function customizeJwtAccessToken(
  _ctx: KoaContextWithOIDC,
  token: TokenLike,
  jwt: { payload: Record<string, unknown> },
): Promise<void> {
  // Unset, not deleted: JSON leaves it out either way, and a deleted property would turn the
  // payload into a slow dictionary-mode object just before it is serialised and signed.
  jwt.payload.scope = undefined;
  if (token.kind === "ClientCredentials" && typeof jwt.payload.oid === "string")
    jwt.payload.sub = jwt.payload.oid;
}
