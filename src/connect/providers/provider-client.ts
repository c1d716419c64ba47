import * as oidc from "openid-client";
import type { Connector } from "../connectors/index.ts";
import { ConnectError } from "../http/errors.ts";

/**
 * One connector's OAuth client: openid-client's Configuration (discovered from the issuer), plus
 * what differs by provider — where admin consent lives, whether tokens can be revoked, and where
 * the Graph-shaped mail API is.
 */
export interface ProviderClient {
  config: oidc.Configuration;
  /** The issuer's tenant-wide admin consent endpoint (Entra's v2 `/adminconsent`), if it has one. */
  adminConsentEndpoint: string | undefined;
  /** Extra authorization parameters the provider needs (Google: offline access). */
  authorizationParams: Record<string, string>;
  /** Base of the Graph-shaped mail API (…/v1.0), for the message passthrough. */
  mailApiUrl: string | undefined;
  /** The tenant a connection through this connector belongs to, when the authority names one. */
  fixedTenant: string | undefined;
}

const MICROSOFT_AUTHORITY = "https://login.microsoftonline.com";
const GOOGLE_ISSUER = "https://accounts.google.com";
// Entra's multi-tenant authority segments: the user's own tenant comes from the token (tid).
const SHARED_TENANTS = new Set(["common", "organizations", "consumers"]);

/** The issuer URL discovery starts from. */
export function issuerOf(connector: Connector): string {
  const { settings } = connector;
  if (connector.provider === "assent") return settings.issuer ?? "";
  if (connector.provider === "microsoft")
    return `${settings.authority ?? MICROSOFT_AUTHORITY}/${settings.tenant ?? "common"}/v2.0`;
  return GOOGLE_ISSUER;
}

function isLoopback(url: URL): boolean {
  return ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
}

/**
 * Discovers the connector's issuer and builds its client. Plain http is accepted for loopback
 * issuers only (development and tests); anything else must be https.
 */
export async function createProviderClient(
  connector: Connector,
  options: { defaultMailApiUrl: string },
): Promise<ProviderClient> {
  const issuer = new URL(issuerOf(connector));
  const insecure = issuer.protocol === "http:" && isLoopback(issuer);
  let config: oidc.Configuration;
  try {
    config = await oidc.discovery(
      issuer,
      connector.settings.client_id,
      undefined,
      connector.clientSecret ? oidc.ClientSecretPost(connector.clientSecret) : oidc.None(),
      { ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}), timeout: 15 },
    );
  } catch (error) {
    throw new ConnectError(
      502,
      "provider_error",
      `Could not read the OpenID configuration of ${issuer.href}: ${(error as Error).message}. Check the connector's settings.`,
    );
  }
  const { settings } = connector;
  const tenant = settings.tenant ?? "common";
  const usesEntraShape = connector.provider === "microsoft" || issuer.pathname.endsWith("/v2.0");
  const realMicrosoft = connector.provider === "microsoft" && !settings.authority;
  return {
    config,
    adminConsentEndpoint:
      connector.provider === "google" || !usesEntraShape
        ? undefined
        : `${issuer.href.replace(/\/+$/, "")}/adminconsent`,
    authorizationParams:
      // Google returns a refresh token only for offline access, and again only with consent.
      connector.provider === "google" ? { access_type: "offline", prompt: "consent" } : {},
    mailApiUrl:
      settings.mail_api_url ??
      (connector.provider === "google"
        ? undefined
        : realMicrosoft
          ? "https://graph.microsoft.com/v1.0"
          : options.defaultMailApiUrl),
    fixedTenant:
      connector.provider === "microsoft"
        ? SHARED_TENANTS.has(tenant)
          ? undefined
          : tenant
        : connector.provider === "assent"
          ? issuer.href.replace(/\/+$/, "")
          : undefined,
  };
}

/**
 * Provider clients per connector, rebuilt when the connector changes. Bounded: discovery is
 * cheap to redo, and a node serving many applications must not grow without limit.
 */
export class ProviderClients {
  readonly #cache = new Map<string, { version: number; client: Promise<ProviderClient> }>();
  constructor(private readonly options: { defaultMailApiUrl: string; max?: number }) {}

  get(connector: Connector): Promise<ProviderClient> {
    const version = connector.updatedAt.getTime();
    const hit = this.#cache.get(connector.id);
    if (hit && hit.version === version) return hit.client;
    const client = createProviderClient(connector, this.options);
    // A failed discovery is not cached: the next request tries again.
    client.catch(() => this.#cache.delete(connector.id));
    if (this.#cache.size >= (this.options.max ?? 500)) {
      const oldest = this.#cache.keys().next().value;
      if (oldest) this.#cache.delete(oldest);
    }
    this.#cache.set(connector.id, { version, client });
    return client;
  }

  forget(connectorId: string): void {
    this.#cache.delete(connectorId);
  }
}
