import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  addClientSecret,
  assignAppRole,
  createApplication,
  ensureServicePrincipal,
  findServicePrincipal,
  MAIL_APPLICATION_ID,
} from "../../../src/identity/apps/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { type IdentityServer, seedTenant, startIdentity } from "./support/fixture.ts";
import { basic, postToken } from "./support/protocol.ts";

describe.each(["pglite", "postgres"] as const)("app registrations as clients on %s", (kind) => {
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

  it("a daemon app with no redirect URIs gets app-only tokens", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const s = await seedTenant(t, server, "daemon");
    const daemon = await createApplication(
      db,
      s.tenant.id,
      { displayName: "Nightly export" },
      CLI_ACTOR,
    );
    const { secret } = await addClientSecret(db, s.tenant.id, daemon.id, {}, CLI_ACTOR);
    const sp = await ensureServicePrincipal(db, s.tenant.id, daemon.id);
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
    const response = await postToken(
      s,
      { grant_type: "client_credentials", scope: "api://assent-mail/.default" },
      basic(daemon.appId, secret),
    );
    expect(response.status).toBe(200);
    expect(typeof response.body.access_token).toBe("string");
  });

  it("another publisher's multi-tenant daemon gets no token where it has no enterprise app (700016)", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const publisher = await seedTenant(t, server, "daemon-publisher");
    const customer = await seedTenant(t, server, "daemon-customer");
    const daemon = await createApplication(
      db,
      publisher.tenant.id,
      { displayName: "Fabrikam sync", signInAudience: "AzureADMultipleOrgs" },
      CLI_ACTOR,
    );
    const { secret } = await addClientSecret(db, publisher.tenant.id, daemon.id, {}, CLI_ACTOR);
    const ask = () =>
      postToken(
        customer,
        { grant_type: "client_credentials", scope: "api://assent-mail/.default" },
        basic(daemon.appId, secret),
      );
    const refused = await ask();
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: "unauthorized_client", error_codes: [700016] });
    expect(String(refused.body.error_description)).toContain("not found in the directory");
    // Nothing was created in the customer tenant by asking.
    expect(await findServicePrincipal(db, customer.tenant.id, daemon.id)).toBeUndefined();
    // In its own tenant it gets a token; in the customer's, once an administrator there
    // created its enterprise app (admin consent) and granted it a role.
    const own = await postToken(
      publisher,
      { grant_type: "client_credentials", scope: "api://assent-mail/.default" },
      basic(daemon.appId, secret),
    );
    expect(own.status).toBe(200);
    const sp = await ensureServicePrincipal(db, customer.tenant.id, daemon.id);
    await assignAppRole(
      db,
      customer.tenant.id,
      {
        resourceApplicationId: MAIL_APPLICATION_ID,
        principalType: "ServicePrincipal",
        principalId: sp.id,
        roleValue: "Mail.Read.All",
      },
      CLI_ACTOR,
    );
    const granted = await ask();
    expect(granted.status).toBe(200);
    const claims = JSON.parse(
      Buffer.from(
        String(granted.body.access_token).split(".")[1] as string,
        "base64url",
      ).toString(),
    );
    expect(claims).toMatchObject({ tid: customer.tenant.id, oid: sp.id, roles: ["Mail.Read.All"] });
  });

  it("an app whose logo URL is not https still signs users in (the logo is left out)", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const s = await seedTenant(t, server, "bad-logo");
    await db
      .updateTable("identity.applications")
      .set({ logo_url: "javascript:alert(1)" })
      .where("id", "=", s.web.id)
      .execute();
    const url = new URL(`${s.issuer.replace(/\/v2\.0$/, "")}/oauth2/v2.0/authorize`);
    url.search = new URLSearchParams({
      client_id: s.web.appId,
      response_type: "code",
      redirect_uri: s.redirectUri,
      scope: "openid",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    }).toString();
    const response = await fetch(url, { redirect: "manual" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toContain("/interaction/");
  });
});
