import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { base64url, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import { bearer, mailApp } from "./support/mail-fixture.ts";
import { startTestIssuer, type TestIssuer } from "./support/test-issuer.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Replaces a token's payload while keeping its header and signature. */
function withPayload(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload)));
  return `${header}.${base64url.encode(JSON.stringify({ ...claims, ...changes }))}.${signature}`;
}

describe.each(["pglite", "postgres"] as const)("Mail access-token validation on %s", (kind) => {
  let t: TestDatabase | undefined;
  let issuer: TestIssuer;
  let app: FastifyInstance;
  let tenant: string;
  let other: string;

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    issuer = await startTestIssuer();
    tenant = await issuer.addTenant();
    other = await issuer.addTenant();
    if (t) app = mailApp(issuer, t.database);
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.close();
    await t?.close();
  });

  const me = (token?: string, headers: Record<string, string> = {}) =>
    app.inject({ url: "/v1.0/me", headers: { ...(token ? bearer(token) : {}), ...headers } });

  async function expectInvalidToken(token: string, description: RegExp) {
    const r = await me(token);
    expect(r.statusCode).toBe(401);
    expect(r.json().error.code).toBe("InvalidAuthenticationToken");
    expect(r.json().error.message).toMatch(description);
    const challenge = r.headers["www-authenticate"] as string;
    expect(challenge).toMatch(
      /^Bearer realm="", error="invalid_token", error_description="[^"\\]+"$/,
    );
    expect(challenge).toMatch(description);
  }

  it("accepts a valid token, with either audience form, RS256 or ES256", async (ctx) => {
    if (!t) return ctx.skip();
    const ok = await me(await issuer.token(tenant, { scp: "User.Read", name: "Ada" }));
    expect(ok.statusCode).toBe(200);
    expect(ok.json().displayName).toBe("Ada");
    const appIdAudience = await issuer.token(tenant, {
      scp: "User.Read",
      aud: "00000003-0000-0000-c000-00000000a55e",
    });
    expect((await me(appIdAudience)).statusCode).toBe(200);

    const ecTenant = await issuer.addTenant();
    await issuer.addKey(ecTenant, "ES256");
    expect((await me(await issuer.token(ecTenant, { scp: "User.Read" }))).statusCode).toBe(200);
  });

  it("answers a request without credentials with a bare Bearer challenge and Graph's error shape", async (ctx) => {
    if (!t) return ctx.skip();
    const r = await me(undefined, { "client-request-id": "my-correlation-1" });
    expect(r.statusCode).toBe(401);
    // RFC 6750 §3.1: no error code when the request carried no authentication.
    expect(r.headers["www-authenticate"]).toBe('Bearer realm=""');
    const body = r.json();
    expect(body.error.code).toBe("InvalidAuthenticationToken");
    expect(body.error.message).toBe("Access token is empty.");
    expect(body.error.innerError["request-id"]).toBe(r.headers["request-id"]);
    expect(body.error.innerError["client-request-id"]).toBe("my-correlation-1");
    expect(body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(r.headers["client-request-id"]).toBe("my-correlation-1");
  });

  it("rejects a non-Bearer scheme and a token that is not a JWT", async (ctx) => {
    if (!t) return ctx.skip();
    const basic = await app.inject({ url: "/v1.0/me", headers: { authorization: "Basic YTpi" } });
    expect(basic.statusCode).toBe(401);
    expect(basic.headers["www-authenticate"]).toMatch(/error="invalid_token"/);
    await expectInvalidToken("not-a-jwt", /malformed/);
  });

  it("rejects an expired token and one not yet valid", async (ctx) => {
    if (!t) return ctx.skip();
    const now = Math.floor(Date.now() / 1000);
    await expectInvalidToken(
      await issuer.token(tenant, {
        scp: "User.Read",
        iat: now - 7200,
        nbf: now - 7200,
        exp: now - 600,
      }),
      /expired/,
    );
    await expectInvalidToken(
      await issuer.token(tenant, { scp: "User.Read", nbf: now + 600 }),
      /not yet valid/,
    );
  });

  it("rejects a token for another audience", async (ctx) => {
    if (!t) return ctx.skip();
    await expectInvalidToken(
      await issuer.token(tenant, { scp: "User.Read", aud: "api://some-other-api" }),
      /Invalid audience/,
    );
  });

  it("rejects an issuer that is not its tenant's, and a tid that disagrees with the issuer", async (ctx) => {
    if (!t) return ctx.skip();
    await expectInvalidToken(
      await issuer.token(tenant, { scp: "User.Read", iss: "https://evil.example/x/v2.0" }),
      /issuer is not the issuer of its tenant/,
    );
    // Signed by tenant A's key, claiming to be tenant B: B's keys do not include A's kid.
    await expectInvalidToken(
      await issuer.token(tenant, { scp: "User.Read", tid: other }),
      /not among the keys/,
    );
    // A tenant the issuer does not know publishes no keys.
    await expectInvalidToken(
      await issuer.token(tenant, { scp: "User.Read", tid: randomUUID() }),
      /tenant is unknown/,
    );
    await expectInvalidToken(
      await issuer.token(tenant, { scp: "User.Read", tid: undefined }),
      /tid/,
    );
  });

  it("rejects a key the issuer does not publish, a tampered token, alg none and HS256", async (ctx) => {
    if (!t) return ctx.skip();
    const stranger = await issuer.unpublishedKey();
    await expectInvalidToken(
      await issuer.token(tenant, { scp: "User.Read" }, { key: stranger }),
      /not among the keys/,
    );

    const genuine = await issuer.token(tenant, { scp: "User.Read" });
    await expectInvalidToken(withPayload(genuine, { scp: "User.Read Mail.Read" }), /signature/);

    const unsigned = [
      base64url.encode(JSON.stringify({ alg: "none", typ: "at+jwt" })),
      genuine.split(".")[1],
      "",
    ].join(".");
    await expectInvalidToken(unsigned, /alg none are not accepted/);

    const hmac = await new SignJWT(
      JSON.parse(new TextDecoder().decode(base64url.decode(genuine.split(".")[1] as string))),
    )
      .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
      .sign(new TextEncoder().encode("a-shared-secret-of-thirty-two-bytes!"));
    await expectInvalidToken(hmac, /alg HS256 are not accepted/);
  });

  it("rejects an ID token or other JWT that is not typed as an access token (RFC 9068)", async (ctx) => {
    if (!t) return ctx.skip();
    await expectInvalidToken(
      await issuer.token(tenant, { scp: "User.Read" }, { typ: "JWT" }),
      /at\+jwt/,
    );
  });

  it("answers 503 ServiceNotAvailable when the issuer's keys cannot be fetched", async (ctx) => {
    if (!t) return ctx.skip();
    const down = await startTestIssuer();
    const downTenant = await down.addTenant();
    const token = await down.token(downTenant, { scp: "User.Read" });
    await down.close();
    const app2 = mailApp(down, t.database);
    const r = await app2.inject({ url: "/v1.0/me", headers: bearer(token) });
    expect(r.statusCode).toBe(503);
    expect(r.json().error.code).toBe("ServiceNotAvailable");
    await app2.close();
  });

  it("picks up a key rotated in at the issuer without a restart, once the cooldown has passed", async (ctx) => {
    if (!t) return ctx.skip();
    const COOLDOWN_MS = 400;
    const rotating = await issuer.addTenant();
    const app2 = mailApp(issuer, t.database, { ASSENT_MAIL_JWKS_COOLDOWN_MS: String(COOLDOWN_MS) });
    const call = async (token: string) =>
      (await app2.inject({ url: "/v1.0/me", headers: bearer(token) })).statusCode;

    const signedWithFirstKey = await issuer.token(rotating, { scp: "User.Read" });
    expect(await call(signedWithFirstKey)).toBe(200);
    expect(issuer.fetches.get(rotating)).toBe(1);

    await issuer.addKey(rotating);
    const signedWithNewKey = await issuer.token(rotating, { scp: "User.Read" });
    // Within the cooldown an unknown kid does not make Mail fetch the keys again.
    expect(await call(signedWithNewKey)).toBe(401);
    expect(issuer.fetches.get(rotating)).toBe(1);

    await sleep(COOLDOWN_MS + 100);
    expect(await call(signedWithNewKey)).toBe(200);
    expect(issuer.fetches.get(rotating)).toBe(2);
    // The first key, still published, verifies from the refreshed set without another fetch.
    expect(await call(signedWithFirstKey)).toBe(200);
    expect(issuer.fetches.get(rotating)).toBe(2);
    await app2.close();
  });
});
