import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDb, rekeyConnect } from "../../src/connect/index.ts";
import { KeyRing } from "../../src/platform/crypto/index.ts";
import { generateWebhookSecret, signWebhook } from "../../src/platform/webhooks/index.ts";
import { expectApp, signInAndWalk } from "../identity/consent/support.ts";
import { Browser } from "../identity/oauth/support/browser.ts";
import {
  grantTenantWide,
  type IdentityServer,
  startIdentity,
} from "../identity/oauth/support/fixture.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import {
  type ConnectServers,
  type Receiver,
  restartConnect,
  seedConnectedWorld,
  startConnect,
  startReceiver,
} from "./support/connect-world.ts";
import { authUrl, exchange } from "./support/flow.ts";

const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
const before = new KeyRing([oldKey]);
const rotating = new KeyRing([newKey, oldKey]);
const after = new KeyRing([newKey]);

/** Every encrypted value Connect holds, by table and column. */
async function envelopes(t: TestDatabase): Promise<string[]> {
  const db = connectDb(t.database);
  const connectors = await db.selectFrom("connect.connectors").selectAll().execute();
  const hooks = await db.selectFrom("connect.webhook_destinations").selectAll().execute();
  const grants = await db.selectFrom("connect.grants").selectAll().execute();
  return [
    ...connectors.flatMap((c) => [c.client_secret_enc, c.identity_webhook_secret_enc]),
    ...hooks.map((h) => h.secret_enc),
    ...grants.flatMap((g) => [g.access_token_enc, g.refresh_token_enc, g.id_token_enc]),
  ].filter((v): v is string => Boolean(v));
}

async function grantTokens(t: TestDatabase) {
  return connectDb(t.database)
    .selectFrom("connect.grants")
    .select(["access_token_enc", "refresh_token_enc", "id_token_enc"])
    .executeTakeFirstOrThrow();
}

describe.each(["pglite", "postgres"] as const)("Connect's key rotation on %s", (kind) => {
  let t: TestDatabase | undefined;
  let identity: IdentityServer;
  let servers: ConnectServers | undefined;
  let receiver: Receiver;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (!t) return;
    identity = await startIdentity(t);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await servers?.close();
    await identity?.close();
    await t?.close();
  });

  it("old ciphertexts decrypt after rotation; refresh (ahead of expiry) and rekeyConnect move everything to the new key; the old key can then go", async (ctx) => {
    if (!t) return ctx.skip();
    servers = await startConnect(t, identity, { keyRing: before });
    const w = await seedConnectedWorld(t, identity, servers, `cx-keys-${kind}`);
    await grantTenantWide(t, w.tenant.id, w.providerApp.application);
    const hook = await w.api("POST", "/v3/webhooks", {
      webhook_url: receiver.url,
      trigger_types: ["grant.updated"],
    });
    const identitySecret = generateWebhookSecret();
    await w.api("PUT", "/v3/connectors/microsoft/identity-webhook", { secret: identitySecret });
    const callback = expectApp(await signInAndWalk(new Browser(), authUrl(servers, w), w.megan));
    const tokens = await exchange(servers, w, callback.searchParams.get("code") ?? "");
    const grantId = tokens.body.grant_id as string;
    const refresh = async () => {
      const response = await fetch(`${servers?.connectUrl}/v3/connect/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          client_id: w.connectApp.id,
          client_secret: w.connectApp.apiKey,
          grant_type: "refresh_token",
          refresh_token: tokens.body.refresh_token,
        }),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { access_token: string; expires_in: number };
    };
    const stored = await envelopes(t);
    expect(stored.length).toBeGreaterThanOrEqual(6);
    for (const e of stored) expect(rotating.isStale(e)).toBe(true);

    // Rotation: the new key first, the old one as ASSENT_SECRET_KEY_PREVIOUS.
    await restartConnect(servers, t, identity, { keyRing: rotating });
    expect((await w.api("GET", `/v3/grants/${grantId}/messages`)).status).toBe(200);
    expect((await refresh()).access_token).toBe(tokens.body.access_token);

    // Five minutes before expiry the token is still used; in its last minute it is refreshed
    // ahead of expiry, and the refresh stores every token of the grant under the new key.
    const expiresMs = tokens.body.expires_in * 1000;
    servers.clock.offsetMs = expiresMs - 5 * 60 * 1000;
    expect((await refresh()).access_token).toBe(tokens.body.access_token);
    expect(rotating.isStale((await grantTokens(t)).access_token_enc ?? "")).toBe(true);
    servers.clock.offsetMs = expiresMs - 30 * 1000;
    const refreshed = await refresh();
    expect(refreshed.access_token).not.toBe(tokens.body.access_token);
    expect(refreshed.expires_in).toBeGreaterThan(30 * 60);
    servers.clock.offsetMs = 0;
    const rows = await grantTokens(t);
    for (const e of [rows.access_token_enc, rows.refresh_token_enc, rows.id_token_enc])
      expect(rotating.isStale(e ?? "")).toBe(false);

    // The secrets move with rekeyConnect (startConnectService runs it); a second run has nothing to do.
    expect((await rekeyConnect(connectDb(t.database), rotating)).reencrypted).toBe(3);
    expect((await rekeyConnect(connectDb(t.database), rotating)).reencrypted).toBe(0);
    for (const e of await envelopes(t)) expect(rotating.isStale(e)).toBe(false);

    // The old key is gone: tokens, the connector secret and both webhook secrets still work.
    await restartConnect(servers, t, identity, { keyRing: after });
    const messages = await w.api("GET", `/v3/grants/${grantId}/messages`);
    expect(messages.status).toBe(200);
    expect((await refresh()).access_token).toBe(refreshed.access_token);
    await w.api("PATCH", `/v3/grants/${grantId}`, { settings: { label: "rotated" } });
    const updated = await receiver.waitFor("grant.updated");
    expect(() =>
      new Webhook(hook.body.data.webhook_secret).verify(updated.body, updated.headers),
    ).not.toThrow();
    const body = JSON.stringify({ type: "consent_request.denied", data: {} });
    const target = (await w.api("GET", "/v3/connectors/microsoft/identity-webhook")).body.data;
    const event = await fetch(target.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...signWebhook({
          id: "msg_rotated",
          timestamp: Math.floor(Date.now() / 1000),
          body,
          secrets: [identitySecret],
        }),
      },
      body,
    });
    expect(event.status).toBe(204);
  });
});
