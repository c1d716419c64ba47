import { type ClientInstance, type ClientStatic, errors } from "oidc-provider";
import { type Application, matchClientSecret } from "../../apps/index.ts";
import type { ClientFinder } from "../adapter.ts";
import { withEntraCode } from "../errors/entra-error.ts";
import type { TenantCatalog } from "./catalog.ts";

/** Client metadata Assent adds to oidc-provider's (declared in extraClientMetadata). */
export const EXTRA_CLIENT_METADATA = ["assent_application_id"];

/**
 * The app registration's object id behind an oidc-provider client (extra metadata keeps its
 * snake_case name on the client instance).
 */
export function applicationIdOf(client: ClientInstance | undefined): string | undefined {
  const id = client?.assent_application_id;
  return typeof id === "string" ? id : undefined;
}

// Schemes a redirect URI may not use whatever the client type (RFC 8252 section 8.1 et al.).
const FORBIDDEN_SCHEMES = new Set(["javascript:", "data:", "vbscript:", "file:"]);

function usableRedirectUris(uris: readonly string[]): string[] {
  return uris.filter((uri) => {
    const parsed = URL.parse(uri);
    return parsed !== null && !parsed.hash && !FORBIDDEN_SCHEMES.has(parsed.protocol);
  });
}

/**
 * An app registration as an oidc-provider client. Public clients authenticate with nothing
 * (`none`), which makes oidc-provider require PKCE S256 for them (its `pkce.required` default);
 * confidential clients use client_secret_basic or client_secret_post (oidc-provider accepts
 * either for a secret-registered client). `client_secret` is a placeholder: secrets are stored
 * hashed and verified by `verifyHashedSecrets`. A redirect URI with a custom scheme makes the
 * client "native" (RFC 8252), which also lets loopback redirects use any port (section 7.3).
 */
export function toClientMetadata(app: Application, secretPlaceholder: string) {
  const redirectUris = usableRedirectUris(app.redirectUris);
  const native = redirectUris.some((uri) => !/^https?:/.test(uri));
  return {
    client_id: app.appId,
    client_name: app.displayName,
    application_type: native ? "native" : "web",
    redirect_uris: redirectUris,
    // Entra accepts any registered reply URL as post_logout_redirect_uri.
    post_logout_redirect_uris: redirectUris.filter((uri) => /^https?:/.test(uri)),
    // An app with no redirect URI (a daemon) can only use client credentials: oidc-provider
    // refuses a client that may receive codes but has nowhere to receive them.
    response_types: redirectUris.length > 0 ? ["code"] : [],
    grant_types:
      redirectUris.length === 0
        ? app.isPublicClient
          ? []
          : ["client_credentials"]
        : app.isPublicClient
          ? ["authorization_code", "refresh_token"]
          : ["authorization_code", "refresh_token", "client_credentials"],
    token_endpoint_auth_method: app.isPublicClient ? "none" : "client_secret_basic",
    ...(app.isPublicClient ? {} : { client_secret: secretPlaceholder }),
    // Only an https logo: anything else (javascript:, data:, http:) would make oidc-provider
    // refuse the whole client, and pages never show such a logo anyway.
    ...(app.logoUrl?.startsWith("https://") && URL.canParse(app.logoUrl)
      ? { logo_uri: app.logoUrl }
      : {}),
    assent_application_id: app.id,
  };
}

/**
 * Finds a client as seen from one tenant (CatalogSnapshot.client): a multi-tenant app
 * anywhere, a single-tenant app only in its publisher tenant (elsewhere it does not exist:
 * Entra AADSTS700016). Served from the tenant's catalog, current as of this request.
 */
export function clientFinder(catalog: TenantCatalog): ClientFinder {
  return async (clientId) => (await catalog.apps.client(clientId))?.metadata;
}

/**
 * oidc-provider compares `client.clientSecret` with the presented secret itself, but Assent
 * stores only hashes (a database leak must not leak secrets). Its client authentication awaits
 * `compareClientSecret`, so the provider's own Client class (one per provider instance) gets a
 * comparison that checks the hashed store instead (through the tenant's catalog, current as of
 * this request); an expired secret is told apart, as Entra does (AADSTS7000222 rather than
 * 7000215).
 */
export function verifyHashedSecrets(Client: ClientStatic, catalog: TenantCatalog): void {
  Client.prototype.compareClientSecret = async function compareHashed(presented: string) {
    const applicationId = applicationIdOf(this);
    if (!applicationId) return false;
    const result = matchClientSecret(await catalog.apps.secrets(applicationId), presented);
    if (result === "expired")
      throw withEntraCode(new errors.InvalidClientAuth("client secret expired"), 7000222);
    return result === "valid";
  };
}
