import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { createDirectory } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { Browser, signIn } from "./support/browser.ts";
import {
  type IdentityServer,
  PASSWORD,
  type Seeded,
  seedTenant,
  startIdentity,
} from "./support/fixture.ts";

const insecure = { execute: [oidc.allowInsecureRequests] };

/** An independent relying party (openid-client) against a tenant's issuer. */
async function relyingParty(s: Seeded, client: "spa" | "web") {
  const config =
    client === "spa"
      ? await oidc.discovery(new URL(s.issuer), s.spa.appId, undefined, oidc.None(), insecure)
      : await oidc.discovery(new URL(s.issuer), s.web.appId, s.webSecret, undefined, insecure);
  // Verify ID token signatures against the JWKS, not only TLS (OIDC Core 3.1.3.7 step 6).
  oidc.enableNonRepudiationChecks(config);
  return config;
}

async function authorize(config: oidc.Configuration, s: Seeded, scope: string) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: s.redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  const callback = await signIn(new Browser(), url, {
    username: s.user.userPrincipalName,
    password: PASSWORD,
  });
  return oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
}

describe.each(["pglite", "postgres"] as const)("authorization code flow on %s", (kind) => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (t) server = await startIdentity(t);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it("serves Entra-shaped discovery under the tenant id, slug and domain alike", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "flow-discovery");
    const byId = await fetch(`${s.issuer}/.well-known/openid-configuration`);
    expect(byId.status).toBe(200);
    const doc = (await byId.json()) as Record<string, unknown>;
    const base = `${server.baseUrl}/${s.tenant.id}`;
    expect(doc).toMatchObject({
      issuer: s.issuer,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      userinfo_endpoint: `${base}/oauth2/v2.0/userinfo`,
      introspection_endpoint: `${base}/oauth2/v2.0/introspect`,
      revocation_endpoint: `${base}/oauth2/v2.0/revoke`,
      code_challenge_methods_supported: ["S256"],
    });
    expect(doc.grant_types_supported).not.toContain("implicit");
    expect(doc.grant_types_supported).not.toContain("password");
    const bySlug = await fetch(
      `${server.baseUrl}/flow-discovery/v2.0/.well-known/openid-configuration`,
    );
    expect(await bySlug.json()).toEqual(doc);
    await createDirectory({ database: t.database }).tenants.addDomain(
      s.tenant.id,
      "discovery.example",
      CLI_ACTOR,
    );
    const byDomain = await fetch(
      `${server.baseUrl}/Discovery.Example/v2.0/.well-known/openid-configuration`,
    );
    expect(await byDomain.json()).toEqual(doc);
  });

  it("signs a user in through the sign-in page and issues Entra-shaped tokens", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "flow-main");
    const config = await relyingParty(s, "spa");
    const tokens = await authorize(
      config,
      s,
      "openid profile email offline_access api://assent-mail/Mail.Read",
    );

    const id = tokens.claims();
    expect(id).toMatchObject({
      iss: s.issuer,
      aud: s.spa.appId,
      sub: s.user.id,
      tid: s.tenant.id,
      oid: s.user.id,
      preferred_username: s.user.userPrincipalName,
      name: "Ada Lovelace",
      email: s.user.userPrincipalName,
    });

    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri as string));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: s.issuer,
      audience: "api://assent-mail",
    });
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload).toMatchObject({
      tid: s.tenant.id,
      oid: s.user.id,
      sub: s.user.id,
      scp: "Mail.Read",
      azp: s.spa.appId,
      ver: "2.0",
    });
    expect(payload.scope).toBeUndefined();
    expect(tokens.refresh_token).toBeTruthy();
  });

  it("returns client_info when MSAL asks for it", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "flow-client-info");
    const config = await relyingParty(s, "spa");
    const tokens = await authorize(config, s, "openid offline_access");
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string, {
      client_info: "1",
    });
    const info = JSON.parse(Buffer.from(refreshed.client_info as string, "base64url").toString());
    expect(info).toEqual({ uid: s.user.id, utid: s.tenant.id });
  });

  it("rotates refresh tokens, answers userinfo, introspects and revokes", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "flow-refresh");
    const config = await relyingParty(s, "web");
    const first = await authorize(config, s, "openid profile email offline_access Mail.Read");
    const rt1 = first.refresh_token as string;

    // A refresh for the OIDC scopes only gets a userinfo token, as MSAL asks per resource.
    const second = await oidc.refreshTokenGrant(config, rt1, { scope: "openid profile email" });
    const rt2 = second.refresh_token as string;
    expect(rt2).toBeTruthy();
    expect(rt2).not.toBe(rt1);
    const info = await oidc.fetchUserInfo(config, second.access_token, s.user.id);
    expect(info).toMatchObject({ sub: s.user.id, preferred_username: s.user.userPrincipalName });

    const active = await oidc.tokenIntrospection(config, rt2);
    expect(active).toMatchObject({ active: true, client_id: s.web.appId, sub: s.user.id });
    expect((await oidc.tokenIntrospection(config, second.access_token)).active).toBe(true);

    // The Entra-style scope names the resource again: a JWT for Assent Mail.
    const third = await oidc.refreshTokenGrant(config, rt2, {
      scope: "api://assent-mail/Mail.Read",
    });
    expect(decodeProtectedHeader(third.access_token).typ).toBe("at+jwt");
    const rt3 = third.refresh_token as string;

    await oidc.tokenRevocation(config, rt3);
    expect((await oidc.tokenIntrospection(config, rt3)).active).toBe(false);
  });

  it("detects refresh token reuse and revokes the whole family", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "flow-reuse");
    const config = await relyingParty(s, "web");
    const first = await authorize(config, s, "openid offline_access");
    const rt1 = first.refresh_token as string;
    const second = await oidc.refreshTokenGrant(config, rt1);
    const rt2 = second.refresh_token as string;

    const reuse = await oidc.refreshTokenGrant(config, rt1).catch((e: unknown) => e);
    expect(reuse).toBeInstanceOf(oidc.ResponseBodyError);
    expect((reuse as oidc.ResponseBodyError).cause).toMatchObject({
      error: "invalid_grant",
      error_codes: [50173],
      suberror: "bad_token",
    });
    expect((await oidc.tokenIntrospection(config, rt2)).active).toBe(false);
    expect((await oidc.tokenIntrospection(config, second.access_token)).active).toBe(false);
  });
});
