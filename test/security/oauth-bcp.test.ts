import * as oidc from "openid-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Browser, signIn } from "../identity/oauth/support/browser.ts";
import { type IdentityServer, PASSWORD, startIdentity } from "../identity/oauth/support/fixture.ts";
import {
  authorizeUrl,
  basic,
  introspect,
  obtainCode,
  pkcePair,
  postToken,
  redeem,
} from "../identity/oauth/support/protocol.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import {
  endpointBase,
  HTTPS_REDIRECT,
  type SecurityWorld,
  seedSecurityWorld,
} from "./support/identity.ts";

/**
 * RFC 9700 (OAuth 2.0 Security Best Current Practice), checked black-box against a real
 * Identity server: redirect URI matching, PKCE, code and refresh token replay, mix-up defence,
 * state and nonce, and the grants the BCP retires.
 */

/** An error page: HTML, status 400, no Location (never an open redirector). */
async function expectErrorPage(url: URL): Promise<string> {
  const response = await new Browser().get(url);
  expect(response.headers.get("location"), `${url} must not redirect`).toBeNull();
  expect(response.status).toBe(400);
  expect(response.headers.get("content-type")).toMatch(/text\/html/);
  return response.text();
}

/** The parameters of the redirect back to the app, without following it. */
async function redirectParams(url: URL): Promise<URLSearchParams> {
  const response = await new Browser().get(url);
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get("location") ?? "", url);
  expect(`${location.origin}${location.pathname}`).toBe("http://127.0.0.1:9/callback");
  return location.hash ? new URLSearchParams(location.hash.slice(1)) : location.searchParams;
}

function strictAuthorize(s: SecurityWorld, redirectUri: string): URL {
  return authorizeUrl(s, { client_id: s.strict.appId, redirect_uri: redirectUri });
}

// Both dialects: code and refresh token consumption and revocation live in the database.
describe.each(["pglite", "postgres"] as const)("RFC 9700 protocol defences on %s", (kind) => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let s: SecurityWorld;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (!t) return;
    server = await startIdentity(t);
    s = await seedSecurityWorld(t, server, "bcp");
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });
  // PostgreSQL unreachable outside CI: skipped, as test/support/databases.ts explains.
  beforeEach((ctx) => {
    if (!t) ctx.skip();
  });

  it("accepts the registered redirect URI exactly as registered (the control case)", async () => {
    const response = await new Browser().get(strictAuthorize(s, HTTPS_REDIRECT));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).not.toContain("app.example.com");
  });

  const variants: Array<[string, string]> = [
    ["a host in other case", "https://APP.example.com/auth/callback"],
    ["a path in other case", "https://app.example.com/Auth/Callback"],
    ["a trailing slash", "https://app.example.com/auth/callback/"],
    ["path traversal", "https://app.example.com/auth/callback/../../evil"],
    ["encoded path traversal", "https://app.example.com/auth/callback/..%2f..%2fevil"],
    ["an extra query", "https://app.example.com/auth/callback?next=https://evil.example"],
    ["userinfo naming another host", "https://evil.example@app.example.com/auth/callback"],
    ["userinfo before the host", "https://app.example.com@evil.example/auth/callback"],
    ["another port", "https://app.example.com:8443/auth/callback"],
    ["the default port spelled out", "https://app.example.com:443/auth/callback"],
    ["another scheme", "http://app.example.com/auth/callback"],
    ["a fragment", "https://app.example.com/auth/callback#x"],
    ["a subdomain", "https://evil.app.example.com/auth/callback"],
    ["a suffix on the host", "https://app.example.com.evil.example/auth/callback"],
    ["javascript:", "javascript:alert(document.domain)//"],
  ];
  it.each(variants)("refuses %s with an error page, never a redirect", async (_name, uri) => {
    const html = await expectErrorPage(strictAuthorize(s, uri));
    expect(html).toContain("50011");
    expect(html).not.toContain(`href="${uri}"`);
  });

  it("refuses an unknown client with an error page, whatever redirect URI it names", async () => {
    for (const redirect of ["https://evil.example/cb", HTTPS_REDIRECT]) {
      const html = await expectErrorPage(
        authorizeUrl(s, {
          client_id: "7b4b4b7e-0000-4000-8000-0000000000ee",
          redirect_uri: redirect,
        }),
      );
      expect(html).toContain("700016");
    }
  });

  it("refuses a public client without PKCE, and plain PKCE (back to the app, not a code)", async () => {
    const missing = await redirectParams(authorizeUrl(s, {}));
    expect(missing.get("error")).toBe("invalid_request");
    expect(missing.get("code")).toBeNull();
    const plain = await redirectParams(
      authorizeUrl(s, { code_challenge: "a".repeat(43), code_challenge_method: "plain" }),
    );
    expect(plain.get("error")).toBe("invalid_request");
    expect(plain.get("code")).toBeNull();
  });

  it("refuses to redeem an S256 code without the verifier, with plain, or with a wrong one", async () => {
    const { verifier, challenge } = pkcePair();
    const callback = await signIn(
      new Browser(),
      authorizeUrl(s, { code_challenge: challenge, code_challenge_method: "S256" }),
      { username: s.user.userPrincipalName, password: PASSWORD },
    );
    const code = callback.searchParams.get("code") ?? "";
    const form = {
      grant_type: "authorization_code",
      client_id: s.spa.appId,
      code,
      redirect_uri: s.redirectUri,
    };
    for (const attempt of [
      {},
      { code_verifier: challenge },
      { code_verifier: pkcePair().verifier },
      { code_verifier: `${verifier}x` },
    ]) {
      const result = await postToken(s, { ...form, ...attempt } as Record<string, string>);
      expect(result.status).toBe(400);
      expect(result.body.error).toMatch(/invalid_grant|invalid_request/);
      expect(result.body.access_token).toBeUndefined();
    }
  });

  it("refuses a confidential client's S256 code redeemed without its verifier", async () => {
    const { challenge } = pkcePair();
    const callback = await signIn(
      new Browser(),
      authorizeUrl(s, {
        client_id: s.web.appId,
        code_challenge: challenge,
        code_challenge_method: "S256",
      }),
      { username: s.user.userPrincipalName, password: PASSWORD },
    );
    const result = await postToken(
      s,
      {
        grant_type: "authorization_code",
        code: callback.searchParams.get("code") ?? "",
        redirect_uri: s.redirectUri,
      },
      basic(s.web.appId, s.webSecret),
    );
    expect(result.status).toBe(400);
    expect(result.body.error).toBe("invalid_grant");
  });

  it("refuses a replayed code and revokes the first redemption's tokens (introspection, userinfo)", async () => {
    const { code, verifier } = await obtainCode(s, "openid profile offline_access");
    const first = await redeem(s, code, verifier);
    expect(first.status).toBe(200);
    const accessToken = String(first.body.access_token);
    const refreshToken = String(first.body.refresh_token);
    const userinfo = () =>
      fetch(`${endpointBase(s)}/oauth2/v2.0/userinfo`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
    expect((await userinfo()).status).toBe(200);

    const replay = await redeem(s, code, verifier);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe("invalid_grant");
    expect((await introspect(s, accessToken)).active).toBe(false);
    expect((await introspect(s, refreshToken)).active).toBe(false);
    expect((await userinfo()).status).toBe(401);
    const refresh = await postToken(s, {
      grant_type: "refresh_token",
      client_id: s.spa.appId,
      refresh_token: refreshToken,
    });
    expect(refresh.body.error).toBe("invalid_grant");
  });

  it("revokes the whole refresh token family when a rotated refresh token is reused", async () => {
    const { code, verifier } = await obtainCode(s);
    const first = await redeem(s, code, verifier);
    const rt1 = String(first.body.refresh_token);
    const refresh = (token: string) =>
      postToken(s, { grant_type: "refresh_token", client_id: s.spa.appId, refresh_token: token });
    const second = await refresh(rt1);
    expect(second.status).toBe(200);
    const rt2 = String(second.body.refresh_token);
    expect(rt2).not.toBe(rt1);

    const reuse = await refresh(rt1);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe("invalid_grant");
    expect((await introspect(s, rt2)).active).toBe(false);
    expect((await introspect(s, String(second.body.access_token))).active).toBe(false);
    expect((await refresh(rt2)).body.error).toBe("invalid_grant");
  });

  it("names the issuer in every authorization response (RFC 9207) and in discovery", async () => {
    const doc = (await (
      await fetch(`${s.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(doc.authorization_response_iss_parameter_supported).toBe(true);
    expect(doc.issuer).toBe(s.issuer);

    const { challenge } = pkcePair();
    const success = await signIn(
      new Browser(),
      authorizeUrl(s, { code_challenge: challenge, code_challenge_method: "S256" }),
      { username: s.user.userPrincipalName, password: PASSWORD },
    );
    expect(success.searchParams.get("iss")).toBe(s.issuer);
    const failure = await redirectParams(authorizeUrl(s, {}));
    expect(failure.get("iss")).toBe(s.issuer);

    // Another tenant has another issuer, so a client can tell which one answered.
    const other = await seedSecurityWorld(t as TestDatabase, server, "bcp-other");
    expect(other.issuer).not.toBe(s.issuer);
    const otherDoc = (await (
      await fetch(`${other.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(otherDoc.issuer).toBe(other.issuer);
    expect(otherDoc.authorization_endpoint).not.toBe(doc.authorization_endpoint);
    expect(otherDoc.jwks_uri).not.toBe(doc.jwks_uri);
  });

  it("returns state unchanged and puts the nonce in the ID token (openid-client checks both)", async () => {
    const config = await oidc.discovery(new URL(s.issuer), s.spa.appId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = `${oidc.randomState()} &=?#%<>"'é`;
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: s.redirectUri,
      scope: "openid",
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    const callback = await signIn(new Browser(), url, {
      username: s.user.userPrincipalName,
      password: PASSWORD,
    });
    expect(callback.searchParams.get("state")).toBe(state);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(tokens.claims()?.nonce).toBe(nonce);
    // A response whose state was swapped is refused by the client.
    const swapped = new URL(callback);
    swapped.searchParams.set("state", "forged");
    await expect(
      oidc.authorizationCodeGrant(config, swapped, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      }),
    ).rejects.toThrow();
  });

  it("refuses the implicit flow and the hybrid id_token token", async () => {
    const { challenge } = pkcePair();
    const pkce = { code_challenge: challenge, code_challenge_method: "S256" };
    for (const responseType of ["token", "id_token token", "id_token", "code token"]) {
      const params = await redirectParams(
        authorizeUrl(s, { ...pkce, response_type: responseType, nonce: "n-1" }),
      );
      expect(params.get("error")).toBe("unsupported_response_type");
      expect(params.get("access_token")).toBeNull();
      expect(params.get("id_token")).toBeNull();
    }
    const doc = (await (
      await fetch(`${s.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(doc.response_types_supported).toEqual(["code"]);
  });

  it("refuses the resource owner password grant", async () => {
    const password = await postToken(
      s,
      {
        grant_type: "password",
        username: s.user.userPrincipalName,
        password: PASSWORD,
        scope: "openid",
      },
      basic(s.web.appId, s.webSecret),
    );
    expect(password.status).toBe(400);
    expect(password.body.error).toBe("unsupported_grant_type");
    expect(password.body.access_token).toBeUndefined();
    const publicPassword = await postToken(s, {
      grant_type: "password",
      client_id: s.spa.appId,
      username: s.user.userPrincipalName,
      password: PASSWORD,
    });
    expect(publicPassword.body.error).toBe("unsupported_grant_type");
  });
});
