import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { listSignIns } from "../../../src/identity/activity/index.ts";
import { updateServicePrincipal } from "../../../src/identity/apps/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { authorizeRequest, expectPage, seedWorld, signInAndWalk } from "../consent/support.ts";
import { Browser } from "../oauth/support/browser.ts";
import { type IdentityServer, startIdentity } from "../oauth/support/fixture.ts";

/**
 * The scenario's troubleshooting step: the user reads the request id and timestamp off the
 * error page; the administrator finds that exact event in the sign-in log, by the id or by the
 * user's email and a window around the time.
 */
describe.each(["pglite", "postgres"] as const)(
  "from an error page to its sign-in event on %s",
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

    async function eventually<T>(read: () => Promise<T[]>): Promise<T[]> {
      for (let i = 0; i < 50; i++) {
        const rows = await read();
        if (rows.length > 0) return rows;
        await new Promise((r) => setTimeout(r, 100));
      }
      return read();
    }

    it("finds the failed sign-in shown on the page by request id, and by email and time", async (ctx) => {
      if (!t) return ctx.skip();
      const { db } = t.database;
      const w = await seedWorld(t, server, "trouble");
      await updateServicePrincipal(
        db,
        w.tenant.id,
        w.foreignApp.id,
        { appRoleAssignmentRequired: true },
        CLI_ACTOR,
      );

      const page = expectPage(
        await signInAndWalk(
          new Browser(),
          (await authorizeRequest(w, w.foreignApp, "openid Mail.Read")).url,
          w.megan,
        ),
      );
      expect(page.html).toContain("Troubleshooting details");
      const requestId =
        /Request Id[\s\S]*?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/.exec(
          page.html,
        )?.[1];
      const shownTime = /Timestamp[\s\S]*?(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})Z/.exec(
        page.html,
      )?.[1];
      expect(requestId).toBeDefined();
      expect(shownTime).toBeDefined();

      const byId = await eventually(
        async () => (await listSignIns(db, w.tenant.id, { requestId }, { top: 10 })).value,
      );
      expect(byId).toHaveLength(1);
      expect(byId[0]).toMatchObject({ errorCode: 50105, status: "failure" });

      const at = new Date(`${shownTime!.replace(" ", "T")}Z`).getTime();
      const window = { from: new Date(at - 5 * 60_000), to: new Date(at + 5 * 60_000) };
      const byEmail = await listSignIns(
        db,
        w.tenant.id,
        { user: w.megan.userPrincipalName.toUpperCase(), ...window, status: "failure" },
        { top: 10 },
      );
      expect(byEmail.value.map((e) => e.id)).toEqual([byId[0]!.id]);
    });
  },
);
