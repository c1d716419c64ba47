import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import type { FastifyInstance } from "fastify";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { type Kysely, sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.ts";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { createIdentityApp } from "../../../src/identity/app.ts";
import {
  addClientSecret,
  addRedirectUri,
  assignAppRole,
  createApplication,
  ensureServicePrincipal,
  MAIL_APPLICATION_ID,
  updateServicePrincipal,
} from "../../../src/identity/apps/index.ts";
import {
  classifyPermission,
  grantDelegatedPermissions,
  revokeDelegatedPermissionGrant,
  updateConsentSettings,
} from "../../../src/identity/consent/index.ts";
import type { IdentityDB } from "../../../src/identity/db.ts";
import { createDirectory } from "../../../src/identity/directory/index.ts";
import { rotateSigningKeys } from "../../../src/identity/keys/index.ts";
import { KeyRing } from "../../../src/platform/crypto/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { Browser, locationOf, signIn } from "./support/browser.ts";
import type { IdentityServer, Seeded } from "./support/fixture.ts";
import { PASSWORD, seedTenant } from "./support/fixture.ts";
import { authorizeUrl, basic, obtainCode, pkcePair, redeem } from "./support/protocol.ts";

/**
 * Every node caches what protocol requests read (app registrations, secrets, scopes, service
 * principals, app role grants, users, signing keys) and checks the database's cache versions on
 * every request: a change committed before a request must take effect on that request, on every
 * node (Entra's propagation can take an hour; Assent's must not). Two nodes share one database
 * and one public URL, as behind a load balancer; each test warms both caches, changes something
 * the way an administrator (or a hand-written UPDATE) would, and checks the very next request on
 * both nodes.
 */

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

interface Node {
  app: FastifyInstance;
  /** Where this node listens (all nodes share the public URL, hence the issuer). */
  url: string;
}

async function startNode(t: TestDatabase, keyRing: KeyRing, publicUrl: string, port: number) {
  const config = loadConfig({
    ASSENT_IDENTITY_URL: publicUrl,
    ASSENT_SECRET_KEY: randomBytes(32).toString("base64"),
    LOG_LEVEL: "silent",
  });
  const app = await createIdentityApp({
    config,
    database: t.database,
    keyRing,
    logger: pino({ level: "silent" }),
  });
  await app.listen({ port, host: "127.0.0.1" });
  return { app, url: `http://127.0.0.1:${port}` };
}

async function token(
  node: Node,
  s: Seeded,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${node.url}/${s.tenant.id}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const APP_ONLY = { grant_type: "client_credentials", scope: "api://assent-mail/.default" };

function appToken(node: Node, s: Seeded, clientId = s.web.appId, secret = s.webSecret) {
  return token(node, s, APP_ONLY, basic(clientId, secret));
}

async function versions(db: Kysely<IdentityDB>): Promise<Map<string, number>> {
  const result = await sql<{
    scope: string;
    version: number;
  }>`select scope, version from identity.oauth_cache_versions`.execute(db);
  return new Map(result.rows.map((r) => [r.scope, Number(r.version)]));
}

describe.each(["pglite", "postgres"] as const)("per-node OAuth caches on %s", (kind) => {
  let t: TestDatabase | undefined;
  let a: Node;
  let b: Node;
  let server: IdentityServer;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (!t) return;
    const keyRing = new KeyRing([randomBytes(32)]);
    const [portA, portB] = [await freePort(), await freePort()];
    const publicUrl = `http://127.0.0.1:${portA}`;
    a = await startNode(t, keyRing, publicUrl, portA);
    b = await startNode(t, keyRing, publicUrl, portB);
    server = { app: a.app, baseUrl: publicUrl, keyRing, close: () => a.app.close() };
  });
  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    await t?.close();
  });

  it("refuses a service principal disabled since the last request, on every node", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const s = await seedTenant(t, server, "cache-sp");
    for (const node of [a, b]) expect((await appToken(node, s)).status).toBe(200);

    await updateServicePrincipal(db, s.tenant.id, s.web.id, { accountEnabled: false }, CLI_ACTOR);
    for (const node of [a, b])
      expect((await appToken(node, s)).body).toMatchObject({
        error: "unauthorized_client",
        error_codes: [7000112],
      });

    await updateServicePrincipal(db, s.tenant.id, s.web.id, { accountEnabled: true }, CLI_ACTOR);
    for (const node of [a, b]) expect((await appToken(node, s)).status).toBe(200);
  });

  it("honours a new, an expired and a deleted client secret on the next request", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const s = await seedTenant(t, server, "cache-secrets");
    for (const node of [a, b]) expect((await appToken(node, s)).status).toBe(200);

    const added = await addClientSecret(db, s.tenant.id, s.web.id, {}, CLI_ACTOR);
    for (const node of [a, b])
      expect((await appToken(node, s, s.web.appId, added.secret)).status).toBe(200);

    // Expired by hand, as the clock would: no application code runs.
    await db
      .updateTable("identity.application_secrets")
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where("application_id", "=", s.web.id)
      .where("id", "!=", added.id)
      .execute();
    for (const node of [a, b]) {
      expect((await appToken(node, s)).body).toMatchObject({ error_codes: [7000222] });
      expect((await appToken(node, s, s.web.appId, added.secret)).status).toBe(200);
    }

    await db
      .deleteFrom("identity.application_secrets")
      .where("application_id", "=", s.web.id)
      .execute();
    for (const node of [a, b])
      expect((await appToken(node, s, s.web.appId, added.secret)).body).toMatchObject({
        error: "invalid_client",
        error_codes: [7000215],
      });
  });

  it("puts a newly granted app role in the next token and drops a removed one", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const s = await seedTenant(t, server, "cache-roles");
    const sp = await ensureServicePrincipal(db, s.tenant.id, s.web.id);
    for (const node of [a, b]) {
      const { body } = await appToken(node, s);
      expect(decodeJwt(String(body.access_token)).roles).toBeUndefined();
    }

    await assignAppRole(
      db,
      s.tenant.id,
      {
        resourceApplicationId: MAIL_APPLICATION_ID,
        principalType: "ServicePrincipal",
        principalId: sp.id,
        roleValue: "Mail.Read.All",
      },
      CLI_ACTOR,
    );
    for (const node of [a, b]) {
      const { body } = await appToken(node, s);
      expect(decodeJwt(String(body.access_token)).roles).toEqual(["Mail.Read.All"]);
    }

    await db
      .deleteFrom("identity.app_role_assignments")
      .where("principal_id", "=", sp.id)
      .execute();
    for (const node of [a, b]) {
      const { body } = await appToken(node, s);
      expect(decodeJwt(String(body.access_token)).roles).toBeUndefined();
    }
  });

  it("sees another tenant's app become multi-tenant, and single-tenant again", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const home = await seedTenant(t, server, "cache-home");
    const guest = await seedTenant(t, server, "cache-guest");
    const app = await createApplication(
      db,
      home.tenant.id,
      { displayName: "Home daemon", redirectUris: [home.redirectUri] },
      CLI_ACTOR,
    );
    const { secret } = await addClientSecret(db, home.tenant.id, app.id, {}, CLI_ACTOR);
    for (const node of [a, b])
      expect((await appToken(node, guest, app.appId, secret)).body).toMatchObject({
        error: "invalid_client",
        error_codes: [700016],
      });

    const setAudience = (audience: "AzureADMyOrg" | "AzureADMultipleOrgs") =>
      db
        .updateTable("identity.applications")
        .set({ sign_in_audience: audience })
        .where("id", "=", app.id)
        .execute();
    await setAudience("AzureADMultipleOrgs");
    // Seen as multi-tenant at once: the client is known now, but has no enterprise app in
    // the guest tenant, so no app-only token yet (a different refusal, same code)...
    for (const node of [a, b])
      expect((await appToken(node, guest, app.appId, secret)).body).toMatchObject({
        error: "unauthorized_client",
        error_codes: [700016],
      });
    // ...until the guest tenant has one (admin consent creates it).
    await ensureServicePrincipal(db, guest.tenant.id, app.id);
    for (const node of [a, b])
      expect((await appToken(node, guest, app.appId, secret)).status).toBe(200);
    await setAudience("AzureADMyOrg");
    for (const node of [a, b])
      expect((await appToken(node, guest, app.appId, secret)).body).toMatchObject({
        error_codes: [700016],
      });
  });

  it("accepts a redirect URI registered since the last authorization request", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "cache-redirect");
    const added = "http://127.0.0.1:9/added";
    const authorize = (node: Node) => {
      const url = new URL(`${node.url}/${s.tenant.id}/oauth2/v2.0/authorize`);
      const { challenge } = pkcePair();
      url.search = new URLSearchParams({
        client_id: s.spa.appId,
        response_type: "code",
        redirect_uri: added,
        scope: "openid",
        code_challenge: challenge,
        code_challenge_method: "S256",
      }).toString();
      return fetch(url, { redirect: "manual" });
    };
    // An unregistered redirect URI is never redirected to: an error page.
    for (const node of [a, b]) expect((await authorize(node)).status).toBe(400);
    await addRedirectUri(t.database.db, s.tenant.id, s.spa.id, added, CLI_ACTOR);
    for (const node of [a, b]) expect((await authorize(node)).status).toBe(303);
  });

  it("refuses a refresh for a user disabled since the last request, on every node", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "cache-user");
    const { code, verifier } = await obtainCode(s);
    let refreshToken = String((await redeem(s, code, verifier)).body.refresh_token);
    const refresh = (node: Node) =>
      token(node, s, {
        grant_type: "refresh_token",
        client_id: s.spa.appId,
        refresh_token: refreshToken,
      });
    for (const node of [a, b]) {
      const ok = await refresh(node);
      expect(ok.status).toBe(200);
      refreshToken = String(ok.body.refresh_token);
    }

    const directory = createDirectory({ database: t.database });
    await directory.users.disable(s.tenant.id, s.user.id, CLI_ACTOR);
    const refused = await refresh(b);
    expect(refused.body).toMatchObject({ error_codes: [50057] });
  });

  /** A browser signed in to the tenant (its session cookie works on every node). */
  async function signedIn(s: Seeded): Promise<Browser> {
    const browser = new Browser();
    const { challenge } = pkcePair();
    await signIn(
      browser,
      authorizeUrl(s, {
        scope: "openid",
        code_challenge: challenge,
        code_challenge_method: "S256",
      }),
      { username: s.user.userPrincipalName, password: PASSWORD },
    );
    return browser;
  }

  /** An authorization request of `client` sent to `node`: where its first answer points. */
  async function authorizeAt(
    node: Node,
    s: Seeded,
    browser: Browser,
    params: Record<string, string>,
  ): Promise<URL> {
    const { challenge } = pkcePair();
    const url = authorizeUrl(s, {
      code_challenge: challenge,
      code_challenge_method: "S256",
      ...params,
    });
    const target = new URL(`${url.pathname}${url.search}`, node.url);
    return locationOf(await browser.get(target), target);
  }

  /** The outcome of a silent (prompt=none) authorization: "code" or the error's Entra code. */
  async function silently(node: Node, s: Seeded, browser: Browser, params: Record<string, string>) {
    const callback = await authorizeAt(node, s, browser, { prompt: "none", ...params });
    if (callback.searchParams.has("code")) return "code";
    return String(JSON.parse(callback.searchParams.get("error_codes") ?? "[]")[0]);
  }

  it("asks again for a consent revoked since the last authorization, on every node", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const s = await seedTenant(t, server, "cache-consent");
    const browser = await signedIn(s);
    const mail = { scope: "openid api://assent-mail/Mail.Read" };
    for (const node of [a, b]) expect(await silently(node, s, browser, mail)).toBe("code");

    // Revoked by hand: no service runs, the database's triggers bump the grants version.
    await db
      .deleteFrom("identity.oauth2_permission_grants")
      .where("tenant_id", "=", s.tenant.id)
      .execute();
    for (const node of [a, b]) expect(await silently(node, s, browser, mail)).toBe("65001");

    await grantDelegatedPermissions(
      db,
      s.tenant.id,
      {
        clientApplicationId: s.spa.id,
        resourceApplicationId: MAIL_APPLICATION_ID,
        scopes: ["openid", "Mail.Read"],
        consentType: "Principal",
        principalId: s.user.id,
      },
      CLI_ACTOR,
    );
    for (const node of [a, b]) expect(await silently(node, s, browser, mail)).toBe("code");

    // Blocked by a reviewer: the app is refused outright.
    await db
      .updateTable("identity.service_principals")
      .set({ blocked: true })
      .where("tenant_id", "=", s.tenant.id)
      .where("application_id", "=", s.spa.id)
      .execute();
    for (const node of [a, b]) expect(await silently(node, s, browser, mail)).toBe("7000112");
  });

  it("refuses a refresh whose consent was revoked since the last one, on every node", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const s = await seedTenant(t, server, "cache-refresh");
    const tokens = new Map<Node, string>();
    for (const node of [a, b]) {
      const { code, verifier } = await obtainCode(s, "openid offline_access");
      tokens.set(node, String((await redeem(s, code, verifier)).body.refresh_token));
    }
    const refresh = async (node: Node) => {
      const answer = await token(node, s, {
        grant_type: "refresh_token",
        client_id: s.spa.appId,
        refresh_token: tokens.get(node) ?? "",
      });
      if (answer.status === 200) tokens.set(node, String(answer.body.refresh_token));
      return answer;
    };
    for (const node of [a, b]) expect((await refresh(node)).status).toBe(200);

    const grant = await db
      .selectFrom("identity.oauth2_permission_grants")
      .select("id")
      .where("tenant_id", "=", s.tenant.id)
      .where(sql<boolean>`scopes @> '["offline_access"]'::jsonb`)
      .where(
        "client_service_principal_id",
        "=",
        (await ensureServicePrincipal(db, s.tenant.id, s.spa.id)).id,
      )
      .executeTakeFirstOrThrow();
    await revokeDelegatedPermissionGrant(db, s.tenant.id, grant.id, CLI_ACTOR, {
      scopes: ["offline_access"],
    });
    for (const node of [a, b])
      expect((await refresh(node)).body).toMatchObject({
        error: "invalid_grant",
        error_codes: [65001],
      });
  });

  it("shows the consent screen the settings of the moment call for, on every node", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const s = await seedTenant(t, server, "cache-screens");
    const notes = await createApplication(
      db,
      s.tenant.id,
      { displayName: "Contoso Notes", isPublicClient: true, redirectUris: [s.redirectUri] },
      CLI_ACTOR,
    );
    const browser = await signedIn(s);
    const screen = async (node: Node) => {
      const interaction = await authorizeAt(node, s, browser, {
        client_id: notes.appId,
        scope: "openid api://assent-mail/Mail.Read",
      });
      const html = await (await browser.get(interaction)).text();
      if (html.includes("Permissions requested")) return "user consent";
      if (html.includes("Need admin approval")) return "admin approval";
      return html.slice(0, 300);
    };
    // Mail.Read is not classified low: users may not consent to it.
    for (const node of [a, b]) expect(await screen(node)).toBe("admin approval");
    await classifyPermission(
      db,
      s.tenant.id,
      { resourceApplicationId: MAIL_APPLICATION_ID, value: "Mail.Read", classification: "low" },
      CLI_ACTOR,
    );
    for (const node of [a, b]) expect(await screen(node)).toBe("user consent");
    await updateConsentSettings(db, s.tenant.id, { userConsent: "disabled" }, CLI_ACTOR);
    for (const node of [a, b]) expect(await screen(node)).toBe("admin approval");
  });

  it("signs with the new key on the next request after a rotation, on every node", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "cache-keys");
    const kid = async (node: Node) =>
      decodeProtectedHeader(String((await appToken(node, s)).body.access_token)).kid;
    const before = [await kid(a), await kid(b)];
    expect(before[0]).toBe(before[1]);
    const { added } = await rotateSigningKeys(t.database.db, server.keyRing, s.tenant.id);
    for (const node of [a, b]) expect(added).toContain(await kid(node));
  });

  it("answers a tenant disabled since the last request as unknown (90002)", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "cache-tenant");
    for (const node of [a, b]) expect((await appToken(node, s)).status).toBe(200);
    await t.database.db
      .updateTable("identity.tenants")
      .set({ enabled: false })
      .where("id", "=", s.tenant.id)
      .execute();
    for (const node of [a, b])
      expect((await appToken(node, s)).body).toMatchObject({ error_codes: [90002] });
  });

  it("keeps the platform's security headers and request ids on protocol responses", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "cache-headers");
    // The first response captures the headers, the next ones replay them.
    for (const path of ["oauth2/v2.0/token", "discovery/v2.0/keys", "oauth2/v2.0/token"]) {
      const response = await fetch(`${a.url}/${s.tenant.id}/${path}`, {
        method: path.endsWith("token") ? "POST" : "GET",
      });
      await response.arrayBuffer();
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("bumps the cache versions in the database at commit, for every kind of change", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const s = await seedTenant(t, server, "cache-versions");
    const scope = `tenant:${s.tenant.id}`;
    const before = await versions(db);

    // A single-tenant app's change concerns its own tenant only.
    await addClientSecret(db, s.tenant.id, s.web.id, {}, CLI_ACTOR);
    let now = await versions(db);
    expect(now.get(scope)).toBeGreaterThan(before.get(scope) ?? 0);
    expect(now.get("applications")).toBe(before.get("applications"));

    // Nothing shows before the commit; a rollback shows nothing at all.
    const seen = now.get(scope);
    await db
      .transaction()
      .execute(async (trx) => {
        await trx
          .updateTable("identity.service_principals")
          .set({ notes: "x" })
          .where("tenant_id", "=", s.tenant.id)
          .execute();
        await ensureServicePrincipal(trx, s.tenant.id, s.web.id);
        expect((await versions(trx)).get(scope)).toBe(seen);
        throw new Error("roll back");
      })
      .catch(() => {});
    expect((await versions(db)).get(scope)).toBe(seen);

    // A multi-tenant application (here the built-in Assent Mail) concerns every tenant.
    await db
      .updateTable("identity.application_scopes")
      .set({ user_consent_description: sql`user_consent_description` })
      .where("application_id", "=", MAIL_APPLICATION_ID)
      .where("value", "=", "Mail.Read")
      .execute();
    now = await versions(db);
    expect(now.get("applications")).toBeGreaterThan(before.get("applications") ?? 0);

    const users = `users:${s.tenant.id}`;
    await db
      .updateTable("identity.users")
      .set({ display_name: "Ada King" })
      .where("id", "=", s.user.id)
      .execute();
    expect((await versions(db)).get(users)).toBeGreaterThan(now.get(users) ?? 0);

    const keys = `keys:${s.tenant.id}`;
    await rotateSigningKeys(db, server.keyRing, s.tenant.id);
    expect((await versions(db)).get(keys)).toBeGreaterThan(now.get(keys) ?? 0);
  });
});
