import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { listSignIns } from "../../../src/identity/activity/index.ts";
import { createDirectory } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { type IdentityServer, seedTenant, startIdentity } from "./support/fixture.ts";
import { obtainCode, postToken, redeem } from "./support/protocol.ts";

/**
 * Issue 6: every sign-in event names its user by id, user principal name and display name, the
 * non-interactive ones of the token endpoint (code redemption, refresh) included, so that an
 * administrator searching the log by email finds a user's refreshes as well as their sign-ins.
 */
describe.each(["pglite", "postgres"] as const)(
  "user names on token sign-in events on %s",
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

    /** The user's events with this grant type, once the recorder has written them. */
    async function eventsOf(tenantId: string, upn: string, grantType: string, count: number) {
      const read = async () =>
        (await listSignIns(t!.database.db, tenantId, { user: upn }, { top: 100 })).value.filter(
          (e) => (e.additionalDetails as { grantType?: string } | null)?.grantType === grantType,
        );
      for (let i = 0; i < 100 && (await read()).length < count; i++)
        await new Promise((r) => setTimeout(r, 100));
      return read();
    }

    it("names the user on code redemption and refresh events, successful or not", async (ctx) => {
      if (!t) return ctx.skip();
      const s = await seedTenant(t, server, "names");
      const { code, verifier } = await obtainCode(s, "openid offline_access");
      const redeemed = await redeem(s, code, verifier);
      expect(redeemed.status).toBe(200);
      const refresh = (token: unknown) =>
        postToken(s, {
          grant_type: "refresh_token",
          client_id: s.spa.appId,
          refresh_token: String(token),
        });
      const refreshed = await refresh(redeemed.body.refresh_token);
      expect(refreshed.status).toBe(200);
      await createDirectory({ database: t.database }).users.disable(
        s.tenant.id,
        s.user.id,
        CLI_ACTOR,
      );
      expect((await refresh(refreshed.body.refresh_token)).body).toMatchObject({
        error_codes: [50057],
      });

      const user = {
        userId: s.user.id,
        userPrincipalName: s.user.userPrincipalName,
        userDisplayName: "Ada Lovelace",
      };
      const upn = s.user.userPrincipalName.toUpperCase();
      const redemptions = await eventsOf(s.tenant.id, upn, "authorization_code", 1);
      expect(redemptions).toEqual([
        expect.objectContaining({
          signInEventType: "nonInteractiveUser",
          status: "success",
          ...user,
        }),
      ]);
      const refreshes = await eventsOf(s.tenant.id, upn, "refresh_token", 2);
      expect(refreshes).toHaveLength(2);
      expect(refreshes).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ status: "success", errorCode: 0, ...user }),
          expect.objectContaining({ status: "failure", errorCode: 50057, ...user }),
        ]),
      );
    });
  },
);
