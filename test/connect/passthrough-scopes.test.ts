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
  type ConnectedWorld,
  type ConnectServers,
  seedConnectedWorld,
  startConnect,
} from "./support/connect-world.ts";
import { authUrl, exchange } from "./support/flow.ts";

/**
 * Regression: the `assent` provider's default scopes lacked Mail.Read, so a connector created
 * without a scope connected grants whose mail passthrough failed with "refused the grant's
 * token twice". The defaults read mail; a grant made without a mail scope gets an error that
 * names the missing scope and the fix.
 */
describe.each(["pglite", "postgres"] as const)("the mail passthrough's scopes on %s", (kind) => {
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

  /** Megan connects through the `assent` connector; returns her grant id. */
  async function connectMegan(w: ConnectedWorld): Promise<string> {
    const callback = expectApp(
      await signInAndWalk(
        new Browser(),
        authUrl(servers, w, { provider: "assent", login_hint: w.megan.userPrincipalName }),
        w.megan,
      ),
    );
    const tokens = await exchange(servers, w, callback.searchParams.get("code") ?? "");
    expect(tokens.status).toBe(200);
    return tokens.body.grant_id as string;
  }

  /** A world whose `assent` connector is re-created from `body` (its scope as given or not). */
  async function worldWith(slug: string, scope?: string[]): Promise<ConnectedWorld> {
    const tt = t as TestDatabase;
    const w = await seedConnectedWorld(tt, identity, servers, slug, {}, "assent");
    await grantTenantWide(tt, w.tenant.id, w.providerApp.application);
    const before = await w.api("GET", "/v3/connectors/assent");
    expect((await w.api("DELETE", "/v3/connectors/assent")).status).toBe(200);
    const created = await w.api("POST", "/v3/connectors", {
      provider: "assent",
      settings: {
        client_id: w.providerApp.appId,
        client_secret: w.providerApp.secret,
        issuer: before.body.data.settings.issuer,
      },
      ...(scope ? { scope } : {}),
    });
    expect(created.status).toBe(201);
    return w;
  }

  it("a connector created without a scope reads mail: its defaults carry Mail.Read", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await worldWith("ps-default");
    const connector = await w.api("GET", "/v3/connectors/assent");
    expect(connector.body.data.scope).toEqual([
      "openid",
      "profile",
      "email",
      "offline_access",
      "Mail.Read",
    ]);
    const grantId = await connectMegan(w);
    const messages = await w.api("GET", `/v3/grants/${grantId}/messages`);
    expect(messages.status).toBe(200);
    expect(messages.body.data[0]).toMatchObject({ subject: "Renewal signed" });
  });

  it("a grant without a mail scope gets a 403 naming Mail.Read and the fix", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await worldWith("ps-nomail", ["openid", "profile", "email", "offline_access"]);
    const grantId = await connectMegan(w);
    const messages = await w.api("GET", `/v3/grants/${grantId}/messages`);
    expect(messages.status).toBe(403);
    expect(messages.body.error.type).toBe("insufficient_scopes");
    const message = messages.body.error.message as string;
    expect(message).toContain("without Mail.Read");
    expect(message).toContain('granted "openid profile email offline_access"');
    expect(message).toContain("PATCH /v3/connectors/assent");
    expect(message).toContain(`have ${w.megan.userPrincipalName} connect again`);
  });
});
