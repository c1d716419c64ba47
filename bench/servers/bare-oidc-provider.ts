import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import { sql } from "kysely";
import { type KoaContextWithOIDC, Provider } from "oidc-provider";
import { createStoreAdapter } from "../../src/identity/oauth/adapter.ts";
import { BENCH_REDIRECT_URI, onStop, openBenchDatabase, ready } from "./common.ts";

/**
 * The peer: a bare oidc-provider 9 configured like Assent — same routes, RS256 signing, JWT
 * access tokens for the same resource, refresh rotation, PKCE, and the SAME database adapter
 * and table — with nothing of Assent's own on top (no tenant resolution, no app registrations,
 * no scope translation, no error decoration, no access decision, no sign-in log).
 */
const database = await openBenchDatabase();
const tenant = await sql<{ id: string }>`
  insert into identity.tenants (slug, display_name) values ('bench-bare', 'Bench bare') returning id`.execute(
  database.db,
);
const tenantId = tenant.rows[0]!.id;

const RESOURCE = "api://assent-mail";
const OIDC_SCOPES = new Set(["", "openid", "offline_access", "profile", "email"]);
const client = {
  client_id: "bench-client",
  client_secret: randomBytes(32).toString("base64url"),
  grant_types: ["authorization_code", "refresh_token", "client_credentials"],
  response_types: ["code"],
  redirect_uris: [BENCH_REDIRECT_URI],
  token_endpoint_auth_method: "client_secret_basic",
};
const { privateKey } = await generateKeyPair("RS256", { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: "bench-rs256", alg: "RS256", use: "sig" };

const server = createServer();
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as AddressInfo).port;
const base = `http://127.0.0.1:${port}`;
const mount = "/bench";

const provider = new Provider(`${base}${mount}/v2.0`, {
  adapter: createStoreAdapter(database.db, tenantId, async (id) =>
    id === client.client_id ? client : undefined,
  ),
  clients: [],
  jwks: { keys: [jwk] },
  routes: {
    authorization: "/oauth2/v2.0/authorize",
    token: "/oauth2/v2.0/token",
    end_session: "/oauth2/v2.0/logout",
    jwks: "/discovery/v2.0/keys",
    userinfo: "/oauth2/v2.0/userinfo",
    introspection: "/oauth2/v2.0/introspect",
    revocation: "/oauth2/v2.0/revoke",
  },
  findAccount: async (_ctx: unknown, sub: string) => ({
    accountId: sub,
    claims: async () => ({ sub }),
  }),
  scopes: ["openid", "offline_access", "profile", "email"],
  pkce: { required: () => true },
  rotateRefreshToken: true,
  // Assent issues a refresh token whenever offline_access is asked for (as Entra does); a
  // bare provider drops offline_access without prompt=consent (its reading of OIDC Core
  // section 11). Issuing one to every client allowed the grant type makes the code flow of
  // both systems produce the same three tokens.
  issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed: (t: string) => boolean }) =>
    client.grantTypeAllowed("refresh_token"),
  cookies: { keys: [randomBytes(32).toString("base64url")] },
  ttl: {
    AccessToken: 3600,
    ClientCredentials: 3600,
    AuthorizationCode: 300,
    RefreshToken: 7_776_000,
    Session: 86_400,
    Interaction: 3600,
    Grant: 7_776_000,
    IdToken: 3600,
  },
  interactions: {
    url: (_ctx: unknown, interaction: { uid: string }) => `${mount}/interaction/${interaction.uid}`,
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // As Assent: a request for OIDC scopes only has no resource, so its access token is
      // opaque and good for userinfo (and introspection); any other is for the Mail resource.
      defaultResource: (ctx: KoaContextWithOIDC, _client: unknown, oneOf?: string[]) => {
        if (oneOf) return oneOf[0];
        const { params, entities } = ctx.oidc;
        const scope =
          params?.scope ?? entities.AuthorizationCode?.scope ?? entities.RefreshToken?.scope;
        const oidcOnly =
          typeof scope === "string" && scope.split(" ").every((s) => OIDC_SCOPES.has(s));
        return oidcOnly ? undefined : RESOURCE;
      },
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: "Mail.Read Mail.Read.All",
        audience: RESOURCE,
        accessTokenFormat: "jwt",
        accessTokenTTL: 3600,
        jwt: { sign: { alg: "RS256" } },
      }),
    },
  },
});

// The interaction a bare deployment would write: sign the bench user in and grant what was asked.
async function finishInteraction(
  req: import("node:http").IncomingMessage,
  res: import("node:http").ServerResponse,
) {
  const details = await provider.interactionDetails(req, res);
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: "bench-user", clientId: String(details.params.client_id) });
  if (!grant) throw new Error("grant vanished");
  grant.addOIDCScope("openid offline_access");
  grant.addResourceScope(RESOURCE, "Mail.Read");
  const grantId = await grant.save();
  // Not in the narrow declaration of src/identity/oauth/oidc-provider.d.ts, which Assent does not need.
  await (
    provider as unknown as { interactionFinished: (...args: unknown[]) => Promise<void> }
  ).interactionFinished(
    req,
    res,
    { login: { accountId: "bench-user" }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

const callback = provider.callback();
server.on("request", (req, res) => {
  const url = req.url ?? "/";
  if (!url.startsWith(mount)) {
    res.statusCode = 404;
    res.end();
    return;
  }
  if (url.startsWith(`${mount}/interaction/`)) {
    finishInteraction(req, res).catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
    return;
  }
  // Mounted at /bench, as Assent mounts each tenant's provider at /{tenant}.
  (req as { originalUrl?: string }).originalUrl = url;
  req.url = url.slice(mount.length) || "/";
  callback(req, res);
});

onStop(async () => {
  await new Promise((r) => server.close(r));
  await database.close();
});

ready({
  system: "oidc-provider (bare)",
  base,
  tokenEndpoint: `${base}${mount}/oauth2/v2.0/token`,
  authorizationEndpoint: `${base}${mount}/oauth2/v2.0/authorize`,
  clientId: client.client_id,
  clientSecret: client.client_secret,
  redirectUri: BENCH_REDIRECT_URI,
  clientCredentialsParams: {
    grant_type: "client_credentials",
    resource: RESOURCE,
    scope: "Mail.Read.All",
  },
  authorizeScope: "openid offline_access Mail.Read",
  introspectionEndpoint: `${base}${mount}/oauth2/v2.0/introspect`,
  userinfoEndpoint: `${base}${mount}/oauth2/v2.0/userinfo`,
  userinfoScope: "openid",
  refreshTokenParams: { prompt: "consent" },
  login: { kind: "auto" },
});
