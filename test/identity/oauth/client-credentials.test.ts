import { createRemoteJWKSet, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  assignAppRole,
  ensureServicePrincipal,
  MAIL_APPLICATION_ID,
  updateServicePrincipal,
} from "../../../src/identity/apps/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { type IdentityServer, seedTenant, startIdentity } from "./support/fixture.ts";
import { basic, postToken } from "./support/protocol.ts";

const insecure = { execute: [oidc.allowInsecureRequests] };

describe.each(["pglite", "postgres"] as const)("client credentials on %s", (kind) => {
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

  it("issues an app-only token carrying the app roles granted to the client", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const s = await seedTenant(t, server, "cc-roles");
    const sp = await ensureServicePrincipal(db, s.tenant.id, s.web.id);
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
    const config = await oidc.discovery(
      new URL(s.issuer),
      s.web.appId,
      s.webSecret,
      undefined,
      insecure,
    );
    const tokens = await oidc.clientCredentialsGrant(config, {
      scope: "api://assent-mail/.default",
    });
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri as string));
    const { payload } = await jwtVerify(tokens.access_token, jwks, {
      issuer: s.issuer,
      audience: "api://assent-mail",
    });
    expect(payload).toMatchObject({
      tid: s.tenant.id,
      oid: sp.id,
      sub: sp.id,
      azp: s.web.appId,
      roles: ["Mail.Read.All"],
      ver: "2.0",
      idtyp: "app",
    });
    expect(payload.scp).toBeUndefined();
    // Permissions travel in roles/scp, as in Entra: no RFC 9068 scope claim, not even empty.
    expect(Object.keys(payload)).not.toContain("scope");
  });

  it("tells a wrong secret (7000215) from an expired one (7000222)", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const s = await seedTenant(t, server, "cc-secrets");
    const form = { grant_type: "client_credentials", scope: "api://assent-mail/.default" };
    const wrong = await postToken(s, form, basic(s.web.appId, "not-the-secret"));
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: "invalid_client", error_codes: [7000215] });

    await db
      .updateTable("identity.application_secrets")
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where("application_id", "=", s.web.id)
      .execute();
    const expired = await postToken(s, form, basic(s.web.appId, s.webSecret));
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ error: "invalid_client", error_codes: [7000222] });
    expect(String(expired.body.error_description)).toMatch(/^AST7000222: /);
  });

  it("refuses secrets from public clients and missing secrets from confidential ones", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "cc-auth");
    const form = { grant_type: "client_credentials", scope: "api://assent-mail/.default" };
    const publicWithSecret = await postToken(s, form, basic(s.spa.appId, "anything"));
    expect(publicWithSecret.body).toMatchObject({ error: "invalid_client", error_codes: [700025] });
    const noSecret = await postToken(s, { ...form, client_id: s.web.appId });
    expect(noSecret.body).toMatchObject({ error: "invalid_client", error_codes: [7000218] });
  });

  it("answers bad scopes and a disabled app with their Entra codes", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const s = await seedTenant(t, server, "cc-scopes");
    const auth = basic(s.web.appId, s.webSecret);
    const unknown = await postToken(
      s,
      { grant_type: "client_credentials", scope: "api://nowhere/.default" },
      auth,
    );
    expect(unknown).toMatchObject({
      status: 400,
      body: { error: "invalid_request", error_codes: [500011] },
    });
    const notDefault = await postToken(
      s,
      { grant_type: "client_credentials", scope: "api://assent-mail/Mail.Read" },
      auth,
    );
    expect(notDefault.body).toMatchObject({ error: "invalid_scope", error_codes: [1002012] });

    await ensureServicePrincipal(db, s.tenant.id, s.web.id);
    await updateServicePrincipal(db, s.tenant.id, s.web.id, { accountEnabled: false }, CLI_ACTOR);
    const disabled = await postToken(
      s,
      { grant_type: "client_credentials", scope: "api://assent-mail/.default" },
      auth,
    );
    expect(disabled.body).toMatchObject({ error: "unauthorized_client", error_codes: [7000112] });
  });
});
