import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { createApplication, exposeScope } from "../../../src/identity/apps/index.ts";
import { listDelegatedPermissionGrants } from "../../../src/identity/consent/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { Browser } from "../oauth/support/browser.ts";
import { type IdentityServer, startIdentity } from "../oauth/support/fixture.ts";
import {
  authorizeRequest,
  claimsOf,
  expectApp,
  expectPage,
  redeemCode,
  seedWorld,
  signInAndWalk,
  submit,
} from "./support.ts";

describe.each(["pglite", "postgres"] as const)(
  "consent for an API other than Assent Mail on %s",
  (kind) => {
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

    it("grants the OIDC scopes on Assent Mail and the API's scopes on the API", async (ctx) => {
      if (!t) return ctx.skip();
      const { db } = t.database;
      const w = await seedWorld(t, server, "api-consent", { userConsent: "all_apps" });
      const api = await createApplication(
        db,
        w.tenant.id,
        { displayName: "Contoso Reports API" },
        CLI_ACTOR,
      );
      await exposeScope(
        db,
        w.tenant.id,
        api.id,
        {
          value: "Reports.Read",
          adminConsentDisplayName: "Read reports",
          adminConsentDescription: "Reads the organization's reports.",
          userConsentDisplayName: "Read your reports",
          userConsentDescription: "Reads your reports.",
          adminConsentRequired: false,
        },
        CLI_ACTOR,
      );
      const browser = new Browser();
      const uri = api.identifierUris[0];
      const { url, verifier } = await authorizeRequest(w, w.homeApp, `openid ${uri}/Reports.Read`);
      const page = expectPage(await signInAndWalk(browser, url, w.megan));
      expect(page.html).toContain("Read your reports");
      expect(page.html).toContain("Sign in as you");
      const callback = expectApp(await submit(browser, page));
      const tokens = await redeemCode(w, w.homeApp, callback, verifier);
      expect(claimsOf(tokens.body.access_token)).toMatchObject({ aud: uri, scp: "Reports.Read" });
      const grants = await listDelegatedPermissionGrants(db, w.tenant.id);
      expect(grants.map((g) => [g.resourceDisplayName, g.scopes]).sort()).toEqual([
        ["Assent Mail", ["openid"]],
        ["Contoso Reports API", ["Reports.Read"]],
      ]);
    });
  },
);
