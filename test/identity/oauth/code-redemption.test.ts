import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { type IdentityServer, seedTenant, startIdentity } from "./support/fixture.ts";
import { introspect, obtainCode, postToken, redeem } from "./support/protocol.ts";

describe.each(["pglite", "postgres"] as const)("authorization code redemption on %s", (kind) => {
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

  it("refuses a replayed code and revokes what the first redemption issued", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "code-replay");
    const { code, verifier } = await obtainCode(s);
    const first = await redeem(s, code, verifier);
    expect(first.status).toBe(200);
    const accessToken = String(first.body.access_token);
    const refreshToken = String(first.body.refresh_token);
    expect((await introspect(s, accessToken)).active).toBe(true);
    expect((await introspect(s, refreshToken)).active).toBe(true);

    const replay = await redeem(s, code, verifier);
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error: "invalid_grant", error_codes: [54005] });
    expect((await introspect(s, accessToken)).active).toBe(false);
    expect((await introspect(s, refreshToken)).active).toBe(false);
  });

  it("lets exactly one of several concurrent redemptions of a code succeed", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "code-race");
    const { code, verifier } = await obtainCode(s);
    const results = await Promise.all(Array.from({ length: 6 }, () => redeem(s, code, verifier)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 400, 400, 400, 400, 400]);
    for (const failed of results.filter((r) => r.status !== 200))
      expect(failed.body).toMatchObject({ error: "invalid_grant" });
  });

  it("lets exactly one of several concurrent refreshes rotate a refresh token", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "refresh-race");
    const { code, verifier } = await obtainCode(s);
    const { body } = await redeem(s, code, verifier);
    const refresh = () =>
      postToken(s, {
        grant_type: "refresh_token",
        client_id: s.spa.appId,
        refresh_token: String(body.refresh_token),
      });
    const results = await Promise.all(Array.from({ length: 5 }, refresh));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400)).toHaveLength(4);
  });

  it("checks the PKCE verifier and the redirect URI of the code", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "code-pkce");
    const { code, verifier } = await obtainCode(s);
    const otherRedirect = await postToken(s, {
      grant_type: "authorization_code",
      client_id: s.spa.appId,
      code,
      code_verifier: verifier,
      redirect_uri: "http://127.0.0.1:9/elsewhere",
    });
    expect(otherRedirect.body).toMatchObject({ error: "invalid_grant" });
    const noVerifier = await postToken(s, {
      grant_type: "authorization_code",
      client_id: s.spa.appId,
      code,
      redirect_uri: s.redirectUri,
    });
    expect(noVerifier.body).toMatchObject({ error: "invalid_grant", error_codes: [50148] });
    const wrong = await redeem(s, code, `${verifier.slice(0, -4)}AAAA`);
    expect(wrong.body).toMatchObject({ error: "invalid_grant", error_codes: [50148] });
    expect(String(wrong.body.error_description)).toMatch(/^AST50148: /);
  });
});
