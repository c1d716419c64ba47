import { Provider } from "oidc-provider";
import { ensureTenantSigningKeys, loadSigningJwks } from "../../keys/index.ts";
import { createStoreAdapter } from "../adapter.ts";
import { captureErrors, decorateJsonErrors, decorateResponseModes } from "../errors/decorate.ts";
import { renderOidcError } from "../errors/render-error.tsx";
import { recordProviderSignIns } from "../sign-in-events.ts";
import { accountFinder, CLAIMS } from "./accounts.ts";
import { clientFinder, EXTRA_CLIENT_METADATA, verifyHashedSecrets } from "./clients.ts";
import { deriveKey } from "./cookie-keys.ts";
import { answerDatabaseUnavailable } from "./database-unavailable.ts";
import { GRANT_TTL_SECONDS, grantLoader } from "./grants.ts";
import { interactionPolicyFor } from "./interaction-policy.ts";
import { logoutPages } from "./logout-pages.tsx";
import { ACCESS_TOKEN_TTL_SECONDS, resourceIndicators } from "./resources.ts";
import { issuerOf, mountPathOf, type TenantRuntime } from "./runtime.ts";
import { secureCookiesFor } from "./secure-cookies.ts";
import { customizeJwtAccessToken, tokenClaims } from "./token-claims.ts";
import { corsAllowed, introspectionAllowed, revocationAllowed } from "./token-policies.ts";
import { tokenRequest } from "./token-request.ts";

/** Entra's endpoint paths, relative to `/{tenant}`. */
export const ROUTES = {
  authorization: "/oauth2/v2.0/authorize",
  token: "/oauth2/v2.0/token",
  end_session: "/oauth2/v2.0/logout",
  jwks: "/discovery/v2.0/keys",
  userinfo: "/oauth2/v2.0/userinfo",
  introspection: "/oauth2/v2.0/introspect",
  revocation: "/oauth2/v2.0/revoke",
};

// Lifetimes, in seconds. Codes: RFC 6749 section 4.1.2 recommends at most 10 minutes. Refresh
// tokens: Entra's 90 days, renewed by rotation on every use. Sessions: a working day and more.
const TTL = {
  AccessToken: ACCESS_TOKEN_TTL_SECONDS,
  ClientCredentials: ACCESS_TOKEN_TTL_SECONDS,
  AuthorizationCode: 5 * 60,
  IdToken: 60 * 60,
  RefreshToken: 90 * 24 * 60 * 60,
  Interaction: 60 * 60,
  Session: 24 * 60 * 60,
  Grant: GRANT_TTL_SECONDS,
};

/** The path of a tenant's sign-in interaction (served by ../interaction/routes.ts). */
export function interactionPath(rt: TenantRuntime, uid: string): string {
  return `${mountPathOf(rt.publicUrl, rt.tenant.id)}/interaction/${uid}`;
}

/**
 * Builds the oidc-provider instance of one tenant: issuer `{publicUrl}/{tenantId}/v2.0`,
 * Entra-shaped endpoints, the tenant's signing keys, clients from app registrations, storage in
 * `identity.oidc_store`. Authorization code (PKCE S256 required for public clients),
 * refresh_token (rotated on every use, reuse revokes the family) and client_credentials; no
 * implicit, no password grant.
 */
export async function createTenantProvider(rt: TenantRuntime): Promise<Provider> {
  let jwks = await loadSigningJwks(rt.db, rt.keyRing, rt.tenant.id);
  if (jwks.keys.length === 0) {
    await ensureTenantSigningKeys(rt.db, rt.keyRing, rt.tenant.id);
    jwks = await loadSigningJwks(rt.db, rt.keyRing, rt.tenant.id);
  }
  const pages = logoutPages(rt);

  const provider = new Provider(issuerOf(rt.publicUrl, rt.tenant.id), {
    adapter: createStoreAdapter(rt.db, rt.tenant.id, clientFinder(rt.catalog)),
    jwks,
    routes: ROUTES,
    findAccount: accountFinder(rt),
    claims: CLAIMS,
    scopes: ["openid", "offline_access", "profile", "email"],
    // Entra puts profile claims in ID tokens whatever the response_type.
    conformIdTokenClaims: false,
    extraParams: ["domain_hint"],
    extraClientMetadata: { properties: EXTRA_CLIENT_METADATA },
    responseTypes: ["code"],
    // PKCE (RFC 7636) is required of public clients; oidc-provider 9 accepts S256 only, so
    // `plain` is refused for everyone.
    pkce: {
      required: (_ctx: unknown, client: { clientAuthMethod: string }) =>
        client.clientAuthMethod === "none",
    },
    clientAuthMethods: ["client_secret_basic", "client_secret_post", "none"],
    clientDefaults: {
      grant_types: ["authorization_code", "refresh_token"],
      id_token_signed_response_alg: "RS256",
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
    rotateRefreshToken: true,
    ttl: TTL,
    cookies: {
      keys: [deriveKey(rt.cookieSecret, "oidc-provider-cookies").toString("base64url")],
      // Per-tenant names: every tenant's session cookie lives at path "/" (its endpoints are
      // reachable under the id, the slug and each domain), so a shared name would clobber.
      names: {
        session: `assent_session_${rt.tenant.id}`,
        interaction: `assent_interaction_${rt.tenant.id}`,
        resume: `assent_resume_${rt.tenant.id}`,
      },
      long: { httpOnly: true, sameSite: "lax", signed: true },
      short: { httpOnly: true, sameSite: "lax", signed: true },
    },
    interactions: {
      policy: interactionPolicyFor(),
      url: (_ctx: unknown, interaction: { uid: string }) => interactionPath(rt, interaction.uid),
    },
    loadExistingGrant: grantLoader(rt),
    extraTokenClaims: tokenClaims(rt),
    formats: { customizers: { jwt: customizeJwtAccessToken } },
    renderError: renderOidcError(rt.publicUrl),
    clientBasedCORS: corsAllowed,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: introspectionAllowed },
      revocation: { enabled: true, allowedPolicy: revocationAllowed },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, ...pages },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: resourceIndicators(rt),
    },
  });
  provider.proxy = rt.trustProxy;
  verifyHashedSecrets(provider.Client, rt.catalog);
  decorateResponseModes(provider, rt.publicUrl);
  captureErrors(provider, (err) =>
    rt.logger.error({ err, tenantId: rt.tenant.id }, "oauth server error"),
  );
  recordProviderSignIns(provider, rt.tenant.id, rt.signIns, (id) => rt.catalog.users.user(id));
  const secureCookies = secureCookiesFor(rt.publicUrl);
  if (secureCookies) provider.use(secureCookies);
  provider.use(decorateJsonErrors(rt.publicUrl));
  provider.use(answerDatabaseUnavailable(rt.publicUrl));
  provider.use(tokenRequest(rt, ROUTES.token));
  return provider;
}
