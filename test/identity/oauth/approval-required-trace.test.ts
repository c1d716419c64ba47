import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listSignIns } from "../../../src/identity/activity/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { expectPage, seedWorld } from "../consent/support.ts";
import { reachApprovalPage, requestApproval, textOf } from "../consent-requests/pages-support.ts";
import { Browser } from "./support/browser.ts";
import { type IdentityServer, startIdentity } from "./support/fixture.ts";

/**
 * The story's Troubleshooting: "Contact the mail administrator with the timestamp of the login
 * attempt and the email address of the account". "Approval required" shows those (with the
 * request and correlation ids, as Entra's error pages do), and showing it records the
 * interrupted sign-in those details find in Sign-in logs: one event per showing, not one more
 * when the page comes back after a refused request.
 */

/** The "Troubleshooting details" of a page, by name (Request Id, Timestamp, User, ...). */
function troubleshootingOf(html: string): Record<string, string> {
  const list = /<dl class="trouble">([\s\S]*?)<\/dl>/.exec(html)?.[1];
  if (!list) throw new Error(`no troubleshooting details in: ${textOf(html).slice(0, 400)}`);
  const pairs = [...list.matchAll(/<dt>([^<]*)<\/dt><dd>([^<]*)<\/dd>/g)];
  return Object.fromEntries(pairs.map((m) => [m[1] as string, textOf(m[2] as string).trim()]));
}

describe.each(["pglite", "postgres"] as const)(
  "Approval required's sign-in trace on %s",
  (kind) => {
    let t: TestDatabase | undefined;
    beforeAll(async () => {
      t = await openTestDatabase(kind);
    });
    afterAll(async () => {
      await t?.close();
    });

    it("shows the troubleshooting details and logs one interrupted sign-in with the same request id", async (ctx) => {
      if (!t) return ctx.skip();
      // Its own server: closing it writes every sign-in event it recorded, so "exactly one"
      // is read after the last one could have been written.
      let server: IdentityServer | undefined = await startIdentity(t);
      try {
        const w = await seedWorld(t, server, "trace", {
          userConsent: "disabled",
          adminConsentWorkflowEnabled: true,
        });
        const browser = new Browser();
        const page = await reachApprovalPage(browser, w, w.foreignApp, w.megan);
        expect(page.status).toBe(200);
        const text = textOf(page.html);
        expect(text).toContain("Approval required");
        expect(text).toContain("Troubleshooting details");
        expect(text).toContain("If you contact your administrator, send this info to them.");
        expect(page.html).toContain("Copy info to clipboard");
        expect(page.html).toContain('data-copy-from="troubleshooting-text"');

        const details = troubleshootingOf(page.html);
        expect(details).toMatchObject({
          "Error Code": "90095",
          User: w.megan.userPrincipalName,
          "App name": "Northwind CRM",
          "App id": w.foreignApp.appId,
        });
        expect(details["Request Id"]).toMatch(/^[0-9a-zA-Z-]{1,64}$/);
        expect(details["Correlation Id"]).toMatch(/^[0-9a-zA-Z-]{1,64}$/);
        expect(details.Timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
        // The same lines as text to copy, the user's email among them.
        expect(page.html).toContain(`Request Id: ${details["Request Id"]}`);
        expect(page.html).toContain(`User: ${w.megan.userPrincipalName}`);

        // A refused request brings the page back quoting the same event, and records nothing.
        const again = expectPage(await requestApproval(browser, page, "   "));
        expect(again.status).toBe(400);
        expect(textOf(again.html)).toContain("Enter why you need this app");
        const shownAgain = troubleshootingOf(again.html);
        expect(shownAgain["Request Id"]).toBe(details["Request Id"]);
        expect(shownAgain.Timestamp).toBe(details.Timestamp);

        await server.close();
        server = undefined;

        const { db } = t.database;
        const interrupted = (
          await listSignIns(db, w.tenant.id, { user: w.megan.userPrincipalName }, { top: 100 })
        ).value.filter((e) => e.status === "interrupted");
        expect(interrupted).toHaveLength(1);
        const [event] = interrupted;
        expect(event).toMatchObject({
          requestId: details["Request Id"],
          correlationId: details["Correlation Id"],
          signInEventType: "interactiveUser",
          isInteractive: true,
          status: "interrupted",
          errorCode: 90095,
          userId: w.megan.id,
          userPrincipalName: w.megan.userPrincipalName,
          userDisplayName: "Megan Bowen",
          appId: w.foreignApp.appId,
          appDisplayName: "Northwind CRM",
          clientAppUsed: "Browser",
        });
        // Found by the minute the page's timestamp gives, as the administrator looks it up.
        const stamp = (details.Timestamp ?? "").replace(" ", "T");
        expect(event?.createdDateTime.slice(0, 19)).toBe(stamp.slice(0, 19));
        const byRequest = await listSignIns(
          db,
          w.tenant.id,
          { requestId: details["Request Id"] },
          { top: 10 },
        );
        expect(byRequest.value).toHaveLength(1);
      } finally {
        await server?.close();
      }
    });
  },
);
