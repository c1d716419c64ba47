import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
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
  startReceiver,
  type TestProvider,
} from "./support/connect-world.ts";
import { authUrl, exchange } from "./support/flow.ts";

describe.each(["pglite", "postgres"] as const)(
  "Connect hosted auth against Assent Identity on %s",
  (kind) => {
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

    // `microsoft` pointed at Identity's Entra-shaped endpoints; `assent` discovers the tenant's
    // issuer ({identity}/{tenant}/v2.0) like any OpenID Connect provider.
    it.for(["microsoft", "assent"] satisfies TestProvider[])(
      "%s connects a mailbox: grant created, webhook signed and verified, messages listed, re-auth keeps the id",
      async (provider, ctx) => {
        if (!t) return ctx.skip();
        // Each provider's run has its own receiver: waitFor finds the first event of a type.
        const receiver = await startReceiver();
        onTestFinished(() => receiver.close());
        const w = await seedConnectedWorld(
          t,
          identity,
          servers,
          `cx-happy-${provider}`,
          {},
          provider,
        );
        // The organisation's administrator has already consented for everyone.
        await grantTenantWide(t, w.tenant.id, w.providerApp.application);
        const hook = await w.api("POST", "/v3/webhooks", {
          webhook_url: receiver.url,
          trigger_types: ["grant.created", "grant.updated"],
        });
        expect(hook.status).toBe(200);
        const secret = hook.body.data.webhook_secret as string;
        expect(secret).toMatch(/^whsec_/);
        expect(
          (await w.api("GET", `/v3/webhooks/${hook.body.data.id}`)).body.data.webhook_secret,
        ).toBeUndefined();

        const callback = expectApp(
          await signInAndWalk(
            new Browser(),
            authUrl(servers, w, { provider, login_hint: w.megan.userPrincipalName }),
            w.megan,
          ),
        );
        expect(callback.href.startsWith(APP_CALLBACK)).toBe(true);
        expect(callback.searchParams.get("state")).toBe("app-state-1");
        const code = callback.searchParams.get("code") ?? "";
        const tokens = await exchange(servers, w, code);
        expect(tokens.status).toBe(200);
        expect(tokens.body).toMatchObject({
          token_type: "Bearer",
          email: w.megan.userPrincipalName,
          provider,
        });
        expect(tokens.body.grant_id).toMatch(/^[0-9a-f-]{36}$/);
        expect(tokens.body.refresh_token).toMatch(/^acr_/);

        // The code is single-use.
        expect((await exchange(servers, w, code)).body.error).toBe("invalid_grant");

        const delivered = await receiver.waitFor("grant.created");
        const event = new Webhook(secret).verify(delivered.body, delivered.headers) as Record<
          string,
          any
        >;
        expect(event.data).toMatchObject({
          application_id: w.connectApp.id,
          object: {
            id: tokens.body.grant_id,
            email: w.megan.userPrincipalName,
            grant_status: "valid",
          },
        });

        const messages = await w.api("GET", `/v3/grants/${tokens.body.grant_id}/messages`);
        expect(messages.status).toBe(200);
        expect(messages.body.data[0]).toMatchObject({
          object: "message",
          grant_id: tokens.body.grant_id,
          subject: "Renewal signed",
          from: [{ email: "lee@fabrikam.example", name: "Lee Gu" }],
        });
        const one = await w.api(
          "GET",
          `/v3/grants/${tokens.body.grant_id}/messages/${messages.body.data[0].id}`,
        );
        expect(one.body.data.body).toContain("renewal");

        const list = await w.api(
          "GET",
          `/v3/grants?email=${encodeURIComponent(w.megan.userPrincipalName)}`,
        );
        expect(list.body.data).toHaveLength(1);
        expect(list.body.data[0]).toMatchObject({
          id: tokens.body.grant_id,
          provider,
          grant_status: "valid",
        });
        expect(JSON.stringify(list.body)).not.toContain("token");

        // Connecting again re-authenticates the same grant.
        const again = expectApp(
          await signInAndWalk(new Browser(), authUrl(servers, w, { provider }), w.megan),
        );
        const second = await exchange(servers, w, again.searchParams.get("code") ?? "");
        expect(second.body.grant_id).toBe(tokens.body.grant_id);
        await receiver.waitFor("grant.updated");

        // The application's refresh token gives a fresh access token for the same grant.
        const refreshed = await fetch(`${servers.connectUrl}/v3/connect/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            client_id: w.connectApp.id,
            client_secret: w.connectApp.apiKey,
            grant_type: "refresh_token",
            refresh_token: second.body.refresh_token,
          }),
        });
        expect(refreshed.status).toBe(200);
        expect(((await refreshed.json()) as Record<string, unknown>).grant_id).toBe(
          tokens.body.grant_id,
        );
      },
    );
  },
);
