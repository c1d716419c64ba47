import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { Browser, locationOf } from "./support/browser.ts";
import { type IdentityServer, seedTenant, startIdentity } from "./support/fixture.ts";
import { authorizeUrl, pkcePair, postToken } from "./support/protocol.ts";

/** The error parameters of a redirect to the app (query response mode). */
async function redirectedError(url: URL) {
  const response = await new Browser().get(url);
  expect(response.status).toBe(303);
  const location = locationOf(response, url);
  expect(`${location.origin}${location.pathname}`).toBe("http://127.0.0.1:9/callback");
  // Errors of an implicit request travel in the fragment (RFC 6749 section 4.2.2.1).
  return Object.fromEntries(
    location.hash ? new URLSearchParams(location.hash.slice(1)) : location.searchParams,
  );
}

/** An error page: HTML, no redirect, with the troubleshooting block. */
async function errorPage(url: URL, status = 400) {
  const response = await new Browser().get(url);
  expect(response.status).toBe(status);
  expect(response.headers.get("location")).toBeNull();
  expect(response.headers.get("content-type")).toMatch(/text\/html/);
  const html = await response.text();
  expect(html).toContain("Troubleshooting details");
  return html;
}

describe.each(["pglite", "postgres"] as const)("protocol errors on %s", (kind) => {
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

  it("answers an unknown or disabled tenant with AST90002, as JSON or as a page", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "err-tenant");
    const correlation = "2f0b5b0c-8f1e-4a4e-9d64-6c1c7f0d3b11";
    const json = await fetch(
      `${server.baseUrl}/no-such-tenant/v2.0/.well-known/openid-configuration`,
      {
        headers: { "client-request-id": correlation },
      },
    );
    expect(json.status).toBe(400);
    const body = (await json.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      error: "invalid_tenant",
      error_codes: [90002],
      correlation_id: correlation,
      trace_id: json.headers.get("x-request-id"),
      error_uri: `${server.baseUrl}/error?code=90002`,
    });
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(String(body.error_description)).toMatch(
      /^AST90002: .+\r\nTrace ID: .+\r\nCorrelation ID: 2f0b5b0c-.+\r\nTimestamp: .+Z$/,
    );

    await t.database.db
      .updateTable("identity.tenants")
      .set({ enabled: false, updated_at: new Date() })
      .where("id", "=", s.tenant.id)
      .execute();
    const html = await errorPage(authorizeUrl(s, {}));
    expect(html).toContain("90002");
    const token = await postToken(s, { grant_type: "client_credentials" });
    expect(token.body).toMatchObject({ error: "invalid_tenant", error_codes: [90002] });
  });

  it("never redirects to an unknown client or an unregistered redirect URI", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "err-client");
    const unknown = await errorPage(
      authorizeUrl(s, { client_id: "6a1d2c3e-0000-4000-8000-000000000000" }),
    );
    expect(unknown).toContain("700016");
    expect(unknown).toContain("6a1d2c3e-0000-4000-8000-000000000000");

    const mismatch = await errorPage(
      authorizeUrl(s, { redirect_uri: "https://attacker.example/callback" }),
    );
    expect(mismatch).toContain("50011");
    expect(mismatch).toContain("Contoso SPA");
  });

  it("requires PKCE S256 from public clients and refuses plain", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "err-pkce");
    const missing = await redirectedError(authorizeUrl(s, {}));
    expect(missing).toMatchObject({
      error: "invalid_request",
      error_codes: "[9002325]",
      error_uri: `${server.baseUrl}/error?code=9002325`,
      state: "st-1",
    });
    expect(missing.error_description).toMatch(/^AST9002325: /);
    const formPost = await new Browser().get(authorizeUrl(s, { response_mode: "form_post" }));
    const html = await formPost.text();
    expect(html).toContain('action="http://127.0.0.1:9/callback"');
    expect(html).toContain('name="error_codes" value="[9002325]"');
    expect(html).toContain('name="state" value="st-1"');
    const plain = await redirectedError(
      authorizeUrl(s, { code_challenge: "a".repeat(43), code_challenge_method: "plain" }),
    );
    expect(plain).toMatchObject({ error: "invalid_request", state: "st-1" });
  });

  it("redirects scope errors with their Entra codes", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "err-scope");
    const { challenge } = pkcePair();
    const pkce = { code_challenge: challenge, code_challenge_method: "S256" };
    const unknownResource = await redirectedError(
      authorizeUrl(s, { ...pkce, scope: "openid api://unknown-api/Read" }),
    );
    expect(unknownResource).toMatchObject({ error: "invalid_request", error_codes: "[500011]" });
    const unknownScope = await redirectedError(
      authorizeUrl(s, { ...pkce, scope: "openid api://assent-mail/Mail.Nonsense" }),
    );
    expect(unknownScope).toMatchObject({ error: "invalid_scope", error_codes: "[650053]" });
    const implicit = await redirectedError(authorizeUrl(s, { ...pkce, response_type: "token" }));
    expect(implicit).toMatchObject({ error: "unsupported_response_type", error_codes: "[70005]" });
  });

  it("answers malformed token requests with RFC errors and Entra codes, never a 500", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "err-token");
    expect(await postToken(s, {})).toMatchObject({
      status: 400,
      body: { error: "invalid_request", error_codes: [900144] },
    });
    expect(
      (await postToken(s, { grant_type: "password", client_id: s.spa.appId })).body,
    ).toMatchObject({
      error: "unsupported_grant_type",
      error_codes: [70003],
    });
    const unknownClient = await postToken(s, {
      grant_type: "client_credentials",
      client_id: "6a1d2c3e-0000-4000-8000-000000000000",
      client_secret: "whatever",
    });
    expect(unknownClient).toMatchObject({
      status: 401,
      body: { error: "invalid_client", error_codes: [700016] },
    });
    const badCode = await postToken(s, {
      grant_type: "authorization_code",
      client_id: s.spa.appId,
      code: "not-a-code",
      code_verifier: "x".repeat(43),
      redirect_uri: s.redirectUri,
    });
    expect(badCode.body).toMatchObject({ error: "invalid_grant" });
    const json = await fetch(`${s.issuer.replace(/\/v2\.0$/, "")}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(json.status).toBe(400);
    const oversized = await postToken(s, {
      grant_type: "refresh_token",
      refresh_token: "x".repeat(70_000),
    });
    expect(oversized.status).toBeLessThan(500);
    const garbage = await fetch(`${server.baseUrl}/%E0%A4%A/oauth2/v2.0/authorize`);
    expect(garbage.status).toBeLessThan(500);
  });

  it("answers malformed authorization requests without a server error", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "err-fuzz");
    const { challenge } = pkcePair();
    const pkce = { code_challenge: challenge, code_challenge_method: "S256" };
    const cases: Array<Record<string, string>> = [
      { ...pkce, max_age: "soon" },
      { ...pkce, prompt: "bogus" },
      { ...pkce, prompt: "none login" },
      { ...pkce, claims: "{not json" },
      { ...pkce, request: "not.a.jwt" },
      { ...pkce, response_mode: "web_message" },
      { ...pkce, scope: "openid \u0000" },
      { ...pkce, scope: "x".repeat(5000) },
      { code_challenge: "short", code_challenge_method: "S256" },
      { ...pkce, client_id: "" },
      { ...pkce, client_id: "not-a-uuid", redirect_uri: "javascript:alert(1)" },
      { ...pkce, redirect_uri: "" },
    ];
    for (const params of cases) {
      const response = await new Browser().get(authorizeUrl(s, params));
      expect(response.status, JSON.stringify(params)).toBeLessThan(500);
      const location = response.headers.get("location") ?? "";
      expect(location.startsWith("javascript:")).toBe(false);
    }
    const dupes = new URL(authorizeUrl(s, pkce));
    dupes.searchParams.append("client_id", s.web.appId);
    expect((await new Browser().get(dupes)).status).toBeLessThan(500);
  });

  it("explains every code at /error", async (ctx) => {
    if (!t) return ctx.skip();
    const known = await fetch(`${server.baseUrl}/error?code=AADSTS50126`);
    expect(known.status).toBe(200);
    expect(await known.text()).toContain("AST50126");
    const unknown = await fetch(`${server.baseUrl}/error?code=<script>`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).not.toContain("<script>");
  });
});
