import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpServer } from "../../src/platform/http/index.ts";
import { expectApp, signInAndWalk } from "../identity/consent/support.ts";
import { locationOf } from "../identity/oauth/support/browser.ts";
import {
  grantTenantWide,
  type IdentityServer,
  startIdentity,
} from "../identity/oauth/support/fixture.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import {
  APP_CALLBACK,
  type ConnectedWorld,
  type ConnectServers,
  seedConnectedWorld,
  startConnect,
} from "./support/connect-world.ts";
import { authUrl, exchange, RecordingBrowser } from "./support/flow.ts";

describe.each(["pglite", "postgres"] as const)("Connect refuses bad input on %s", (kind) => {
  let t: TestDatabase | undefined;
  let identity: IdentityServer;
  let servers: ConnectServers;
  let w: ConnectedWorld;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (!t) return;
    identity = await startIdentity(t);
    servers = await startConnect(t, identity);
    w = await seedConnectedWorld(t, identity, servers, `cx-bad-${kind}`);
    await grantTenantWide(t, w.tenant.id, w.providerApp.application);
  });
  afterAll(async () => {
    await servers?.close();
    await identity?.close();
    await t?.close();
  });

  const grantCount = async () => (await w.api("GET", "/v3/grants")).body.data.length as number;

  it("an unknown client id gets an error page, never a redirect", async (ctx) => {
    if (!t) return ctx.skip();
    const url = authUrl(servers, w, { client_id: randomUUID() });
    const response = await fetch(url, { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toContain("Unknown application");
  });

  it("a redirect URI not registered for the application gets an error page (exact match)", async (ctx) => {
    if (!t) return ctx.skip();
    for (const redirect of [
      `${APP_CALLBACK}/`,
      "http://127.0.0.1:9/elsewhere",
      "https://evil.example/cb",
    ]) {
      const response = await fetch(authUrl(servers, w, { redirect_uri: redirect }), {
        redirect: "manual",
      });
      expect(response.status).toBe(400);
      expect(response.headers.get("location")).toBeNull();
      const html = await response.text();
      expect(html).toContain("is not registered");
      expect(html).not.toContain("<script");
    }
  });

  it("other bad parameters go back to the (verified) redirect URI with a clear error", async (ctx) => {
    if (!t) return ctx.skip();
    const response = await fetch(authUrl(servers, w, { provider: "yahoo" }), {
      redirect: "manual",
    });
    expect(response.status).toBe(303);
    const back = locationOf(response, servers.connectUrl);
    expect(Object.fromEntries(back.searchParams)).toMatchObject({
      error: "invalid_request",
      error_code: "invalid_provider",
      state: "app-state-1",
    });
    const google = locationOf(
      await fetch(authUrl(servers, w, { provider: "google" }), { redirect: "manual" }),
      servers.connectUrl,
    );
    expect(google.searchParams.get("error_code")).toBe("connector_not_found");
  });

  it("a tampered or made-up state is refused with a clear page, and no grant is made", async (ctx) => {
    if (!t) return ctx.skip();
    const start = await fetch(authUrl(servers, w), { redirect: "manual" });
    const atProvider = locationOf(start, servers.connectUrl);
    const state = atProvider.searchParams.get("state") ?? "";
    expect(state.length).toBeGreaterThan(40);
    expect(atProvider.searchParams.get("prompt")).toBeNull();
    for (const forged of [`${state.slice(0, -2)}xx`, "", "anything"]) {
      const response = await fetch(
        `${servers.connectUrl}/v3/connect/callback?code=abc&state=${encodeURIComponent(forged)}`,
        { redirect: "manual" },
      );
      expect(response.status).toBe(400);
      expect(response.headers.get("location")).toBeNull();
      expect(await response.text()).toContain("its state is missing or was altered");
    }
    expect(await grantCount()).toBe(0);
  });

  it("a replayed callback is refused and changes nothing", async (ctx) => {
    if (!t) return ctx.skip();
    const browser = new RecordingBrowser();
    const done = expectApp(await signInAndWalk(browser, authUrl(servers, w), w.megan));
    const callback = browser.visited.find((u) => u.pathname === "/v3/connect/callback");
    expect(callback).toBeDefined();
    const replay = await fetch(callback as URL, { redirect: "manual" });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain("has already been completed");
    const tokens = await exchange(servers, w, done.searchParams.get("code") ?? "");
    expect(tokens.status).toBe(200);
    expect(await grantCount()).toBe(1);
  });

  it("a wrong API key is a 401 in Nylas's envelope; the token endpoint refuses it too", async (ctx) => {
    if (!t) return ctx.skip();
    for (const key of ["ack_wrong", "nyk_v0_something", ""]) {
      const r = await w.api("GET", "/v3/grants", undefined, key);
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ error: { type: "unauthorized" } });
      expect(r.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.body.error.message).toContain("API key");
    }
    const token = await fetch(`${servers.connectUrl}/v3/connect/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_id: w.connectApp.id,
        client_secret: "ack_wrong",
        grant_type: "authorization_code",
        code: "x",
        redirect_uri: APP_CALLBACK,
      }),
    });
    expect(token.status).toBe(401);
    expect(await token.json()).toMatchObject({
      error: "invalid_client",
      error_code: "invalid_client",
    });
    const unknownGrant = await fetch(`${servers.connectUrl}/v3/connect/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_id: w.connectApp.id,
        client_secret: w.connectApp.apiKey,
        grant_type: "password",
      }),
    });
    expect((await unknownGrant.json()) as object).toMatchObject({
      error: "unsupported_grant_type",
    });
  });

  it("keeps secrets encrypted at rest and never shows them", async (ctx) => {
    if (!t) return ctx.skip();
    const connector = await w.api("GET", "/v3/connectors/microsoft");
    expect(connector.body.data).toMatchObject({ provider: "microsoft", has_client_secret: true });
    expect(JSON.stringify(connector.body)).not.toContain(w.providerApp.secret);
    const rows = await t.database.db
      .selectFrom("connect.connectors" as never)
      .selectAll()
      .execute();
    expect(JSON.stringify(rows)).not.toContain(w.providerApp.secret);
    const grants = (await t.database.db
      .selectFrom("connect.grants" as never)
      .selectAll()
      .execute()) as Array<Record<string, string>>;
    for (const g of grants) {
      expect(g.access_token_enc).toMatch(/^v1\./);
      expect(g.refresh_token_enc).toMatch(/^v1\./);
    }
    const keys = (await t.database.db
      .selectFrom("connect.api_keys" as never)
      .selectAll()
      .execute()) as Array<Record<string, string>>;
    expect(JSON.stringify(keys)).not.toContain(w.connectApp.apiKey);
  });

  it("connectors: validated settings, one per provider, updated and deleted", async (ctx) => {
    if (!t) return ctx.skip();
    const dup = await w.api("POST", "/v3/connectors", {
      provider: "microsoft",
      settings: { client_id: "x" },
    });
    expect(dup.status).toBe(409);
    const noIssuer = await w.api("POST", "/v3/connectors", {
      provider: "assent",
      settings: { client_id: "x" },
    });
    expect(noIssuer.status).toBe(400);
    expect(noIssuer.body.error.message).toContain("settings.issuer");
    const assent = await w.api("POST", "/v3/connectors", {
      provider: "assent",
      settings: { client_id: "x", issuer: w.issuer },
      scope: ["openid", "email"],
    });
    expect(assent.status).toBe(201);
    const patched = await w.api("PATCH", "/v3/connectors/assent", {
      scope: ["openid", "email", "offline_access"],
    });
    expect(patched.body.data.scope).toEqual(["openid", "email", "offline_access"]);
    expect((await w.api("GET", "/v3/connectors")).body.data).toHaveLength(2);
    expect((await w.api("DELETE", "/v3/connectors/assent")).status).toBe(200);
    expect((await w.api("GET", "/v3/connectors/assent")).status).toBe(404);
    expect((await w.api("GET", "/v3/connectors/yahoo")).body.error.type).toBe(
      "invalid_request_error",
    );
  });

  it("unknown paths and methods answer in Nylas's envelope; other services keep the platform's", async (ctx) => {
    if (!t) return ctx.skip();
    for (const [method, path] of [
      ["GET", "/v3/nothing-here"],
      ["POST", "/v3/grants"],
      ["GET", "/"],
    ] as const) {
      const response = await fetch(`${servers.connectUrl}${path}`, { method });
      expect(response.status).toBe(404);
      const body = (await response.json()) as Record<string, any>;
      expect(body).toEqual({
        request_id: response.headers.get("x-request-id"),
        error: { type: "not_found_error", message: expect.stringContaining(`${method} ${path}`) },
      });
    }
    // The option is opt-in: createHttpServer's default 404 is still the admin-API envelope.
    const plain = createHttpServer({ service: "plain", logger: pino({ level: "silent" }) });
    const missing = await plain.inject({ url: "/nothing" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: "route.not_found" } });
    await plain.close();
  });

  it("Identity's webhook: a malformed secret is refused; an unsubscribed connector answers 401", async (ctx) => {
    if (!t) return ctx.skip();
    const target = (await w.api("GET", "/v3/connectors/microsoft/identity-webhook")).body.data;
    expect(target.secret_configured).toBe(false);
    for (const secret of ["nope", "whsec_c2hvcnQ="]) {
      const put = await w.api("PUT", "/v3/connectors/microsoft/identity-webhook", { secret });
      expect(put.status).toBe(400);
      expect(put.body.error.message).toContain("secret");
    }
    const body = JSON.stringify({ type: "consent_request.approved", data: {} });
    for (const url of [target.url, `${servers.connectUrl}/v3/connect/identity-events/not-an-id`]) {
      const event = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "webhook-id": "msg_1" },
        body,
      });
      expect(event.status).toBe(401);
      expect(((await event.json()) as Record<string, any>).error.type).toBe("unauthorized");
    }
  });
});
