import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { oauthProvider } from "@better-auth/oauth-provider";
import { hash, verify } from "@node-rs/argon2";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import { jwt } from "better-auth/plugins";
import pg from "pg";
import { onStop, ready } from "./common.ts";

/**
 * The second peer: better-auth with its OAuth 2.1 / OIDC provider plugin
 * (`@better-auth/oauth-provider`) and the JWT plugin, on its own scratch PostgreSQL database
 * (better-auth's own schema, migrated by its own `getMigrations`), opened with a pool of 10 as
 * Assent's is. Configured like Assent where better-auth lets it: RS256 JWT access tokens for
 * the same resource (`api://assent-mail`), PKCE, refresh rotation, a confidential client with
 * client_secret_basic and consent skipped (Assent's bench client holds admin consent), and
 * passwords hashed with argon2id at Assent's parameters (@node-rs/argon2, OWASP option 2)
 * instead of better-auth's default scrypt, so the password flow compares the same hash.
 * Rate limiting is off (its defaults would throttle any benchmark), as are telemetry and
 * logging. PostgreSQL only: better-auth has no PGlite dialect built in.
 */
const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error("better-auth peer needs BENCH_DATABASE_URL (PostgreSQL)");
const pool = new pg.Pool({ connectionString: url, max: 10 });

const server = createServer();
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as AddressInfo).port;
const base = `http://127.0.0.1:${port}`;
const RESOURCE = "api://assent-mail";
// better-auth refuses http and loopback redirect URIs for web clients; the harness never
// follows the redirect, it only reads the code from its Location.
const REDIRECT_URI = "https://bench.example/callback";
const ARGON2ID = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const options = {
  appName: "bench",
  baseURL: base,
  basePath: "/api/auth",
  secret: randomBytes(32).toString("base64url"),
  database: pool,
  telemetry: { enabled: false },
  logger: { disabled: true },
  rateLimit: { enabled: false },
  // The JWT plugin's own /token would shadow nothing here, but the plugin's docs disable it.
  disabledPaths: ["/token"],
  emailAndPassword: {
    enabled: true,
    password: {
      hash: (password: string) => hash(password, ARGON2ID),
      verify: ({ hash: stored, password }: { hash: string; password: string }) =>
        verify(stored, password),
    },
  },
  plugins: [
    jwt({ jwks: { keyPairConfig: { alg: "RS256", modulusLength: 2048 } } }),
    oauthProvider({
      loginPage: "/login",
      consentPage: "/consent",
      scopes: ["openid", "profile", "email", "offline_access", "Mail.Read", "Mail.Read.All"],
      // No allowedScopes on the resource: they would narrow a refresh token's scopes to the
      // resource's, dropping offline_access, and the rotated token would get no successor.
      resources: [{ identifier: RESOURCE }],
      enforcePerClientResources: false,
      grantTypes: ["authorization_code", "refresh_token", "client_credentials"],
      // The bench user is the administrator who registers the bench client.
      clientPrivileges: async () => true,
      rateLimit: { token: false, authorize: false, introspect: false, revoke: false },
    }),
  ],
};
// biome-ignore lint/suspicious/noExplicitAny: the plugin options' generic types are not needed here.
const auth = betterAuth(options as any);
const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

const email = "bench@bench.example";
const password = "correct horse battery staple";
// The client is created by the bench user (better-auth's client endpoints need a session).
const signedUp = await auth.api.signUpEmail({
  body: { email, password, name: "Bench User" },
  returnHeaders: true,
});
const cookie = (signedUp.headers.getSetCookie?.() ?? [])
  .map((line) => line.split(";")[0])
  .join("; ");
// biome-ignore lint/suspicious/noExplicitAny: plugin endpoints are not in better-auth's base API type.
const api = auth.api as any;
const client = (await api.adminCreateOAuthClient({
  headers: new Headers({ cookie }),
  body: {
    client_name: "Bench client",
    redirect_uris: [REDIRECT_URI],
    grant_types: ["authorization_code", "refresh_token", "client_credentials"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
    scope: "openid profile email offline_access Mail.Read Mail.Read.All",
    client_credentials_scopes: ["Mail.Read.All"],
    skip_consent: true,
  },
})) as { client_id: string; client_secret: string };

const handler = toNodeHandler(auth);
server.on("request", (req, res) => {
  if (req.url?.startsWith("/api/auth")) {
    handler(req, res);
    return;
  }
  // The login and consent pages are the application's: the harness never renders them, it
  // signs in through the JSON API with the signed query the login page would have received.
  res.statusCode = 404;
  res.end();
});

onStop(async () => {
  await new Promise((r) => server.close(r));
  await pool.end();
});

const oauth = `${base}/api/auth/oauth2`;
ready({
  system: "better-auth",
  base,
  tokenEndpoint: `${oauth}/token`,
  authorizationEndpoint: `${oauth}/authorize`,
  introspectionEndpoint: `${oauth}/introspect`,
  userinfoEndpoint: `${oauth}/userinfo`,
  clientId: client.client_id,
  clientSecret: client.client_secret,
  redirectUri: REDIRECT_URI,
  clientCredentialsParams: {
    grant_type: "client_credentials",
    resource: RESOURCE,
    scope: "Mail.Read.All",
  },
  authorizeScope: "openid offline_access Mail.Read",
  authorizeExtra: { resource: RESOURCE },
  userinfoScope: "openid",
  login: {
    kind: "json",
    loginPath: "/login",
    signInUrl: `${base}/api/auth/sign-in/email`,
    username: email,
    password,
  },
});
