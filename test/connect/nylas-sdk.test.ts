import NylasModule from "nylas";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectApp, signInAndWalk } from "../identity/consent/support.ts";
import { Browser } from "../identity/oauth/support/browser.ts";
import {
  grantTenantWide,
  type IdentityServer,
  startIdentity,
} from "../identity/oauth/support/fixture.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import {
  APP_CALLBACK,
  type ConnectServers,
  seedConnectedWorld,
  startConnect,
} from "./support/connect-world.ts";

// nylas ships ESM whose types TypeScript reads as CommonJS (no "type": "module" beside them):
// at run time the default import is the class itself.
const Nylas = NylasModule as unknown as typeof NylasModule.default;

// The official Nylas Node SDK, pointed at Assent Connect with apiUri: code written for Nylas v3
// keeps working.
describe.each(["pglite", "postgres"] as const)("the nylas SDK against Connect on %s", (kind) => {
  let t: TestDatabase | undefined;
  let identity: IdentityServer;
  let servers: ConnectServers;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (!t) return;
    identity = await startIdentity(t);
    servers = await startConnect(t, identity);
  });
  afterAll(async () => {
    await servers?.close();
    await identity?.close();
    await t?.close();
  });

  it("builds the auth URL, exchanges the code (API key and PKCE), lists, finds and deletes grants", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedConnectedWorld(t, identity, servers, `cx-sdk-${kind}`);
    await grantTenantWide(t, w.tenant.id, w.providerApp.application);
    const nylas = new Nylas({ apiKey: w.connectApp.apiKey, apiUri: servers.connectUrl });

    const url = nylas.auth.urlForOAuth2({
      clientId: w.connectApp.id,
      redirectUri: APP_CALLBACK,
      provider: "microsoft",
      loginHint: w.megan.userPrincipalName,
      state: "sdk-state",
    });
    const callback = expectApp(await signInAndWalk(new Browser(), new URL(url), w.megan));
    expect(callback.searchParams.get("state")).toBe("sdk-state");
    const exchanged = await nylas.auth.exchangeCodeForToken({
      clientId: w.connectApp.id,
      redirectUri: APP_CALLBACK,
      code: callback.searchParams.get("code") ?? "",
    });
    expect(exchanged.grantId).toMatch(/^[0-9a-f-]{36}$/);
    expect(exchanged.email).toBe(w.megan.userPrincipalName);
    expect(exchanged.accessToken).toBeTruthy();

    // PKCE as the SDK does it (its own challenge encoding), without the API key in the exchange.
    const pkce = nylas.auth.urlForOAuth2PKCE({
      clientId: w.connectApp.id,
      redirectUri: APP_CALLBACK,
      provider: "microsoft",
    });
    const second = expectApp(await signInAndWalk(new Browser(), new URL(pkce.url), w.megan));
    const anonymous = new Nylas({ apiKey: "", apiUri: servers.connectUrl });
    const viaPkce = await anonymous.auth.exchangeCodeForToken({
      clientId: w.connectApp.id,
      redirectUri: APP_CALLBACK,
      code: second.searchParams.get("code") ?? "",
      codeVerifier: pkce.secret,
    });
    expect(viaPkce.grantId).toBe(exchanged.grantId);

    const refreshed = await nylas.auth.refreshAccessToken({
      clientId: w.connectApp.id,
      redirectUri: APP_CALLBACK,
      refreshToken: viaPkce.refreshToken ?? "",
    });
    expect(refreshed.grantId).toBe(exchanged.grantId);
    // Each code exchange issues the grant's Connect refresh token anew; the older one stops working.
    await expect(
      nylas.auth.refreshAccessToken({
        clientId: w.connectApp.id,
        redirectUri: APP_CALLBACK,
        refreshToken: exchanged.refreshToken ?? "",
      }),
    ).rejects.toMatchObject({ statusCode: 400, error: "invalid_grant" });

    const list = await nylas.grants.list({ queryParams: { limit: 5 } });
    expect(list.data.map((g: { id: string }) => g.id)).toEqual([exchanged.grantId]);
    expect(list.data[0]).toMatchObject({
      provider: "microsoft",
      grantStatus: "valid",
      email: w.megan.userPrincipalName,
    });
    const found = await nylas.grants.find({ grantId: exchanged.grantId });
    expect(found.data.email).toBe(w.megan.userPrincipalName);

    await nylas.grants.destroy({ grantId: exchanged.grantId });
    expect((await nylas.grants.list()).data).toHaveLength(0);
    await expect(nylas.grants.find({ grantId: exchanged.grantId })).rejects.toMatchObject({
      statusCode: 404,
      type: "not_found_error",
    });

    const wrong = new Nylas({ apiKey: "ack_wrong", apiUri: servers.connectUrl });
    await expect(wrong.grants.list()).rejects.toMatchObject({
      statusCode: 401,
      type: "unauthorized",
    });
  });
});
