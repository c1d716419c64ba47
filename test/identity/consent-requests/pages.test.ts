import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  approveConsentRequest,
  blockConsentRequest,
  denyConsentRequest,
  sweepConsentRequests,
  updateAdminConsentRequestPolicy,
} from "../../../src/identity/consent-requests/index.ts";
import { createDirectory } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { addUser, expectPage, seedWorld, submit, walk, walkFromPost } from "../consent/support.ts";
import { Browser, parseForm } from "../oauth/support/browser.ts";
import { type IdentityServer, startIdentity } from "../oauth/support/fixture.ts";
import {
  callbackParams,
  openSignedIn,
  reachApprovalPage,
  requestApproval,
  statusLinkOf,
  textOf,
} from "./pages-support.ts";

/**
 * The requester's side of the admin consent workflow over HTTP, through the real sign-in page:
 * "Approval required" with its justification, "Request sent", the request status page and
 * "Withdraw", the blocked app, and what the app receives when the user goes back to it.
 */
describe.each(["pglite", "postgres"] as const)("the approval pages on %s", (kind) => {
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

  const world = (slug: string) =>
    seedWorld(t as TestDatabase, server, slug, {
      userConsent: "disabled",
      adminConsentWorkflowEnabled: true,
    });

  it("Approval required shows the app, its publisher and the permissions, and takes a request", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await world("ap-show");
    const browser = new Browser();
    const page = await reachApprovalPage(browser, w, w.foreignApp, w.megan);
    expect(page.status).toBe(200);
    const text = textOf(page.html);
    expect(text).toContain("Approval required");
    expect(text).toContain("Northwind CRM");
    expect(text).toContain("Unverified");
    expect(text).toContain("Mail.Read");
    expect(text).toContain("Read your mail");
    expect(text).toContain("Allows the app to read email in your mailbox.");
    expect(page.html).toMatch(/<textarea[^>]*name="justification"[^>]*required/);
    expect(page.html).toContain('<button type="submit">Request approval</button>');
  });

  it("refuses an empty or overlong justification, keeping what was typed", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await world("ap-justify");
    const browser = new Browser();
    const page = await reachApprovalPage(browser, w, w.foreignApp, w.megan);

    const empty = expectPage(await requestApproval(browser, page, "   "));
    expect(empty.status).toBe(400);
    expect(textOf(empty.html)).toContain("Enter why you need this app");

    const long = "x".repeat(1001);
    const tooLong = expectPage(await requestApproval(browser, page, long));
    expect(tooLong.status).toBe(400);
    expect(textOf(tooLong.html)).toContain("1001 characters long");
    expect(tooLong.html).toContain(`>${long}</textarea>`);

    const markup = `<b>why</b> ${"y".repeat(1000)}`;
    const escaped = expectPage(await requestApproval(browser, page, markup));
    expect(escaped.status).toBe(400);
    expect(escaped.html).toContain("&lt;b&gt;why&lt;/b&gt;");
    expect(escaped.html).not.toContain("<b>why</b>");

    const rows = await sql`select count(*)::int as n from identity.consent_requests
      where tenant_id = ${w.tenant.id}`.execute(db);
    expect(rows.rows).toEqual([{ n: 0 }]);

    // The page that comes back still works.
    const sent = expectPage(await requestApproval(browser, tooLong, "I read the team's mail."));
    expect(textOf(sent.html)).toContain("Request sent");
  });

  it("rejects a request-approval POST without the page's CSRF token", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await world("ap-csrf");
    const browser = new Browser();
    const page = await reachApprovalPage(browser, w, w.foreignApp, w.megan);
    const { action, fields } = parseForm(page.html, page.url);
    expect(action.pathname).toMatch(/\/request-approval$/);
    const forged = await browser.post(action, {
      ...fields,
      csrf_token: "forged",
      justification: "please",
    });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain("50089");
    const missing = await browser.post(action, { permissions: fields.permissions ?? "" });
    expect(missing.status).toBe(403);
    const rows = await sql`select count(*)::int as n from identity.consent_requests
      where tenant_id = ${w.tenant.id}`.execute(db);
    expect(rows.rows).toEqual([{ n: 0 }]);
  });

  it("Request sent links to the status page; going back gives the app 90095", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await world("ap-sent");
    const browser = new Browser();
    const page = await reachApprovalPage(browser, w, w.foreignApp, w.megan);
    const sent = expectPage(await requestApproval(browser, page, "  I triage support mail.  "));
    expect(sent.status).toBe(200);
    const text = textOf(sent.html);
    expect(text).toContain("Request sent");
    expect(text).toContain("reviewers in your organization have been notified");
    expect(text).toContain("I triage support mail.");
    expect(text).toContain("Mail.Read");
    const status = statusLinkOf(sent);
    expect(status.pathname).toMatch(new RegExp(`^/${w.tenant.id}/consent-requests/[0-9a-f-]{36}$`));

    // The tenant's session from the sign-in opens the status page directly.
    const statusPage = expectPage(await walk(browser, status));
    expect(statusPage.status).toBe(200);
    const statusText = textOf(statusPage.html);
    expect(statusText).toContain("Waiting for a reviewer");
    expect(statusText).toContain("I triage support mail.");
    expect(statusText).toContain("Mail.Read");
    expect(statusText).toMatch(/Expires \d{4}-\d\d-\d\d \d\d:\d\d UTC/);

    const back = await submit(browser, sent);
    expect(callbackParams(back)).toMatchObject({
      error: "access_denied",
      error_codes: "[90095]",
      state: "st-1",
    });
  });

  it("going back from Approval required gives the app 90095", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await world("ap-return");
    const browser = new Browser();
    const page = await reachApprovalPage(browser, w, w.foreignApp, w.megan);
    const forms = [...page.html.matchAll(/<form[^>]*action="([^"]+)"/g)].map((m) => m[1]);
    expect(forms.at(-1)).toMatch(/\/return$/);
    const back = await submit(browser, page, {}, "return");
    expect(callbackParams(back)).toMatchObject({ error: "access_denied", error_codes: "[90095]" });
  });

  it("the status page: sign-in when signed out, 404 for another user's or an unknown request", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await world("ap-status");
    const browser = new Browser();
    const page = await reachApprovalPage(browser, w, w.foreignApp, w.megan);
    const sent = expectPage(await requestApproval(browser, page, "For the team inbox."));
    const status = statusLinkOf(sent);

    // Signed out: the sign-in form, then the page.
    const fresh = new Browser();
    const signIn = expectPage(await walk(fresh, status));
    expect(signIn.html).toContain('name="password"');
    expect(signIn.html).not.toContain("For the team inbox.");
    const mine = await openSignedIn(fresh, status, w.megan);
    expect(textOf(mine.html)).toContain("For the team inbox.");

    // Another user of the tenant: 404, nothing of the request shown.
    const other = await addUser(t, w.tenant, "nestor");
    const theirs = await openSignedIn(new Browser(), status, other);
    expect(theirs.status).toBe(404);
    expect(theirs.html).not.toContain("For the team inbox.");
    expect(theirs.html).not.toContain("Northwind CRM");
    // An unknown id and a malformed one: the same 404.
    const unknown = new URL(status.href.replace(/[0-9a-f-]{36}$/, crypto.randomUUID()));
    expect(expectPage(await walk(browser, unknown)).status).toBe(404);
    const malformed = new URL(status.href.replace(/[0-9a-f-]{36}$/, "not-an-id"));
    expect(expectPage(await walk(browser, malformed)).status).toBe(404);
  });

  it("Withdraw takes the user's request back, with a CSRF token bound to the session", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await world("ap-withdraw");
    const browser = new Browser();
    const page = await reachApprovalPage(browser, w, w.foreignApp, w.megan);
    const sent = expectPage(await requestApproval(browser, page, "Reading shared mail."));
    const status = statusLinkOf(sent);
    const statusPage = expectPage(await walk(browser, status));
    const { action, fields } = parseForm(statusPage.html, statusPage.url);
    expect(action.pathname).toBe(`${status.pathname}/withdraw`);

    // A token of another session does not withdraw.
    const forged = await browser.post(action, { csrf_token: "forged" });
    expect(forged.status).toBe(403);
    const stranger = new Browser();
    await openSignedIn(stranger, status, w.megan);
    const crossSession = await stranger.post(action, fields);
    expect(crossSession.status).toBe(403);

    const withdrawn = expectPage(
      await walkFromPost(browser, await browser.post(action, fields), action),
    );
    const text = textOf(withdrawn.html);
    expect(text).toContain("You withdrew your request.");
    expect(text).toContain("Withdrawn");
    expect(withdrawn.html).not.toContain("Withdraw</button>");
  });

  it("a blocked app gets the blocked page, no request; going back gives the app 7000112", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await world("ap-blocked");
    const browser = new Browser();
    const page = await reachApprovalPage(browser, w, w.foreignApp, w.megan);
    // Blocked while the user is on the page.
    await sql`update identity.service_principals set blocked = true
      where tenant_id = ${w.tenant.id} and application_id = ${w.foreignApp.id}`.execute(db);
    const blocked = expectPage(await requestApproval(browser, page, "Please?"));
    expect(blocked.status).toBe(403);
    const text = textOf(blocked.html);
    expect(text).toContain("Your organization has blocked this app");
    expect(text).toContain("Northwind CRM");
    expect(blocked.html).not.toContain("Request approval");
    const rows = await sql`select count(*)::int as n from identity.consent_requests
      where tenant_id = ${w.tenant.id}`.execute(db);
    expect(rows.rows).toEqual([{ n: 0 }]);

    const back = await submit(browser, blocked);
    const params =
      back.at === "app"
        ? callbackParams(back)
        : Object.fromEntries(
            new URL(
              (/<a href="([^"]+)">Back to the application<\/a>/.exec(back.html)?.[1] ?? "").replace(
                /&amp;/g,
                "&",
              ),
            ).searchParams,
          );
    expect(params).toMatchObject({ error: "unauthorized_client", error_codes: "[7000112]" });
  });
  it("the status page for each outcome: approved (for you or not), denied, expired, blocked", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await world("ap-outcomes");
    await updateAdminConsentRequestPolicy(
      db,
      w.tenant.id,
      { reviewers: [{ type: "role", id: "global_administrator" }] },
      CLI_ACTOR,
    );
    const directory = createDirectory({ database: t.database });
    const sales = await directory.groups.create(w.tenant.id, { displayName: "Sales" }, CLI_ACTOR);
    await directory.groups.addMember(w.tenant.id, sales.id, w.megan.id, CLI_ACTOR);
    const nestor = await addUser(t, w.tenant, "nestor");
    const reviewer = { kind: "user" as const, userId: w.admin.id };
    const links = { links: { publicUrl: server.baseUrl } };
    const ask = async (user: typeof nestor, why: string) => {
      const browser = new Browser();
      const page = await reachApprovalPage(browser, w, w.foreignApp, user);
      const sent = expectPage(await requestApproval(browser, page, why));
      const status = statusLinkOf(sent);
      return { browser, status, id: status.pathname.split("/").at(-1) as string };
    };
    const statusText = async (asked: { browser: Browser; status: URL }) =>
      textOf(expectPage(await walk(asked.browser, asked.status)).html);

    // Two requesters of one request; approved for Sales, which only Megan is in.
    const megan = await ask(w.megan, "Sales inbox.");
    const first = await ask(nestor, "Support inbox.");
    expect(first.id).toBe(megan.id);
    await approveConsentRequest(
      db,
      w.tenant.id,
      megan.id,
      reviewer,
      { audience: { type: "groups", ids: [sales.id] } },
      links,
    );
    const mine = expectPage(await walk(megan.browser, megan.status));
    expect(textOf(mine.html)).toContain("Status: Approved");
    expect(textOf(mine.html)).toContain("approved this app for you");
    expect(mine.html).toContain(`<a href="/${w.tenant.id}/myapps">Try again</a>`);
    expect(mine.html).not.toContain("Withdraw</button>");
    const notMine = await statusText(first);
    expect(notMine).toContain("Approved for others, not for you");
    expect(notMine).not.toContain("Try again");

    // Nestor asks again: denied with a reason.
    const second = await ask(nestor, "Support inbox, please.");
    expect(second.id).not.toBe(megan.id);
    await denyConsentRequest(db, w.tenant.id, second.id, reviewer, "Not for <support>.", links);
    const denied = expectPage(await walk(second.browser, second.status));
    expect(textOf(denied.html)).toContain("Status: Denied");
    expect(denied.html).toContain("Not for &lt;support&gt;.");

    // Again: nobody decides, and the request expires.
    const third = await ask(nestor, "Third time.");
    await sweepConsentRequests(db, {
      links: links.links,
      now: new Date(Date.now() + 31 * 24 * 60 * 60 * 1000),
    });
    const expired = await statusText(third);
    expect(expired).toContain("Status: Expired");
    expect(expired).toContain("You can ask again");

    // Again: the app is blocked.
    const fourth = await ask(nestor, "Fourth time.");
    await blockConsentRequest(db, w.tenant.id, fourth.id, reviewer, "Untrusted publisher.", links);
    const blocked = await statusText(fourth);
    expect(blocked).toContain("Status: Your organization has blocked this app");
    expect(blocked).toContain("Untrusted publisher.");
    expect(blocked).toContain("You cannot use it or ask for it again");
    // The earlier pages keep their own outcome.
    expect(await statusText(second)).toContain("Status: Denied");
  });
});
