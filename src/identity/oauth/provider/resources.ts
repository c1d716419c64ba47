import type { KoaContextWithOIDC, ResourceServerInfo } from "oidc-provider";
import { isOidcScope } from "../../apps/index.ts";
import { entraError } from "../errors/entra-error.ts";
import { normaliseRequestScopes } from "./request-scopes.ts";
import type { TenantRuntime } from "./runtime.ts";

// Entra issues access tokens valid for 60-90 minutes; an hour, without the random spread.
export const ACCESS_TOKEN_TTL_SECONDS = 60 * 60;

function resourceScopesOf(scope: unknown): string[] {
  return typeof scope === "string" ? scope.split(" ").filter((s) => s && !isOidcScope(s)) : [];
}

/**
 * RFC 8707 resource indicators, fed from Entra-style scopes: the resource a request is for is
 * the one its scopes name (`api://assent-mail/Mail.Read` → `api://assent-mail`), and access
 * tokens for it are JWTs (RFC 9068) whose `aud` is that identifier URI. A request for OIDC
 * scopes only has no resource: its access token is opaque and good for userinfo.
 */
export function resourceIndicators(rt: TenantRuntime) {
  return {
    enabled: true,

    async defaultResource(ctx: KoaContextWithOIDC, _client: unknown, oneOf?: string[]) {
      // A token request over a grant of several resources: Entra tokens have one audience.
      if (oneOf) return oneOf[0];
      const normalised = await normaliseRequestScopes(ctx, rt);
      return normalised?.resource?.identifierUri;
    },

    async getResourceServerInfo(
      ctx: KoaContextWithOIDC,
      indicator: string,
    ): Promise<ResourceServerInfo> {
      let scopes: string[];
      const { route } = ctx.oidc;
      const source = ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken;
      if (route === "token" && source) {
        // Code redemption or refresh: the resource was validated when the grant was made.
        scopes = [
          ...new Set([
            ...resourceScopesOf(ctx.oidc.params?.scope),
            ...resourceScopesOf(source.scope),
          ]),
        ];
      } else {
        const normalised = await normaliseRequestScopes(ctx, rt);
        if (normalised?.resource?.identifierUri !== indicator)
          throw entraError(
            500011,
            `The resource "${indicator}" is not the resource the requested scopes belong to.`,
          );
        scopes = normalised.resourceScopes;
      }
      return {
        scope: scopes.join(" "),
        audience: indicator,
        accessTokenFormat: "jwt",
        accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
        jwt: { sign: { alg: "RS256" } },
      };
    },

    /**
     * Whether a code or refresh token redemption gets a token for the granted resource. Yes,
     * unless the request names scopes and none belongs to a resource (a refresh for
     * "openid profile" gets a userinfo token, as MSAL asks for one resource at a time).
     */
    async useGrantedResource(ctx: KoaContextWithOIDC) {
      const requested = ctx.oidc.params?.scope;
      if (typeof requested !== "string" || requested === "") return true;
      return resourceScopesOf(requested).length > 0;
    },
  };
}
