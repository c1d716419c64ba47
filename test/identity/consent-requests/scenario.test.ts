import type { ParsedMail } from "mailparser";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { type Application, createApplication } from "../../../src/identity/apps/index.ts";
import { createDirectory, type User } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import {
  addUser,
  type ConsentWorld,
  claimsOf,
  expectApp,
  expectPage,
  REDIRECT_URI,
  type Stop,
  seedWorld,
  signInAndWalk,
  submit,
  walk,
} from "../consent/support.ts";
import { Browser } from "../oauth/support/browser.ts";
import {
  linksOf,
  listenSmtp,
  type MailingIdentity,
  openSignedIn,
  requestApproval,
  startMailingIdentity,
  statusLinkOf,
  textOf,
  waitForMail,
} from "./pages-support.ts";

/**
 * Issue 5's scenario ("Approval required" when connecting a mailbox), end to end over HTTP on
 * a real SMTP server with a real relying party (openid-client): a user whose organisation does
 * not let users consent asks for approval with a justification; the reviewers get the email
 * with the review link; an administrator approves for one group through the admin REST API;
 * the requester gets the approval email; a member of that group then signs in with no prompt
 * and gets the scopes, while a non-member still needs approval. Deny, block and expiry (on a
 * clock moved forward) likewise.
 */

const insecure = { execute: [oidc.allowInsecureRequests] };
const MAIL_SCOPE = "openid profile offline_access api://assent-mail/Mail.Read";
const ADMIN_SCOPE =
  "openid api://assent-admin/ConsentRequest.ReadWrite.All api://assent-admin/Policy.ReadWrite.PermissionGrant";

/** A relying party of `app` (a public client) against the tenant's issuer. */
function relyingParty(w: ConsentWorld, app: Application) {
  return oidc.discovery(new URL(w.issuer), app.appId, undefined, oidc.None(), insecure);
}

/** One authorization request of the relying party, with PKCE and state. */
async function authorization(config: oidc.Configuration, scope: string) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
  });
  return {
    url,
    redeem: (callback: URL) =>
      oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      }),
  };
}

/** What the relying party makes of an error callback: the error and its Entra codes. */
async function rejection(redeem: Promise<unknown>): Promise<Record<string, string>> {
  const error = await redeem.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(oidc.AuthorizationResponseError);
  const cause = (error as oidc.AuthorizationResponseError).cause as URLSearchParams;
  return Object.fromEntries(cause);
}

/** The "Back to the application" link of an error page shown before the app is told. */
function continueUrl(stop: Stop): URL {
  const page = expectPage(stop);
  const href = /<a href="([^"]+)">Back to the application<\/a>/.exec(page.html)?.[1];
  if (!href) throw new Error(`no way back in: ${textOf(page.html).slice(0, 300)}`);
  return new URL(href.replace(/&amp;/g, "&"), page.url);
}

describe.each(["pglite", "postgres"] as const)("the admin approval scenario on %s", (kind) => {
  let t: TestDatabase | undefined;
  let server: MailingIdentity;
  let smtp: { port: number; close(): Promise<void> };
  const inbox: ParsedMail[] = [];

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (!t) return;
    smtp = await listenSmtp(inbox);
    server = await startMailingIdentity(t, smtp.port);
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
    await t?.close();
  });

  /** The admin REST API with a delegated token of `admin`, obtained through the code flow. */
  async function adminApi(w: ConsentWorld, admin: User) {
    const db = (t as TestDatabase).database.db;
    const tool = await createApplication(
      db,
      w.tenant.id,
      { displayName: "Contoso Admin Tool", isPublicClient: true, redirectUris: [REDIRECT_URI] },
      CLI_ACTOR,
    );
    const config = await relyingParty(w, tool);
    const auth = await authorization(config, ADMIN_SCOPE);
    const browser = new Browser();
    // A Global Administrator consents to the tool's Admin API permissions on the consent screen.
    const consent = expectPage(await signInAndWalk(browser, auth.url, admin));
    expect(consent.html).toContain("Permissions requested");
    const tokens = await auth.redeem(expectApp(await submit(browser, consent)));
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${server.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${tokens.access_token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };
    return call;
  }

  /** A tenant where users may not consent, the workflow is on and Global Administrators review. */
  async function organisation(slug: string, policy: Record<string, unknown> = {}) {
    const w = await seedWorld(t as TestDatabase, server, slug, { userConsent: "disabled" });
    const api = await adminApi(w, w.admin);
    const put = await api("PUT", "/api/v1/policies/adminConsentRequestPolicy", {
      isEnabled: true,
      reviewers: [{ type: "role", id: "global_administrator" }],
      notifyReviewers: true,
      ...policy,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    return { w, api };
  }

  /** The user asks for approval through the app: returns the "Request sent" page and its id. */
  async function askForApproval(w: ConsentWorld, user: User, justification: string) {
    const config = await relyingParty(w, w.foreignApp);
    const auth = await authorization(config, MAIL_SCOPE);
    const browser = new Browser();
    const page = expectPage(await signInAndWalk(browser, auth.url, user));
    expect(textOf(page.html)).toContain("Approval required");
    const sent = expectPage(await requestApproval(browser, page, justification));
    expect(textOf(sent.html)).toContain("Request sent");
    const status = statusLinkOf(sent);
    const requestId = status.pathname.split("/").at(-1) as string;
    return { browser, sent, status, requestId, auth };
  }

  /** A fresh sign-in of `user` to the app through the relying party. */
  async function signInToApp(w: ConsentWorld, user: User) {
    const config = await relyingParty(w, w.foreignApp);
    const auth = await authorization(config, MAIL_SCOPE);
    const browser = new Browser();
    return { browser, auth, stop: await signInAndWalk(browser, auth.url, user) };
  }

  it("approve for one group: the members get in with no prompt, the others still need approval", async (ctx) => {
    if (!t) return ctx.skip();
    const { w, api } = await organisation("scn-approve");
    const directory = createDirectory({ database: t.database });
    const sales = await directory.groups.create(w.tenant.id, { displayName: "Sales" }, CLI_ACTOR);
    await directory.groups.addMember(w.tenant.id, sales.id, w.megan.id, CLI_ACTOR);
    const nestor = await addUser(t, w.tenant, "nestor");

    // Megan hits "Approval required" and asks, with a justification.
    const megan = await askForApproval(w, w.megan, "I answer the sales inbox from this app.");

    // The reviewers (Global Administrators) get the email with the review link.
    const review = await waitForMail(inbox, w.admin.userPrincipalName, /Review the request/);
    expect(review.subject).toContain("Northwind CRM");
    expect(review.text).toContain("I answer the sales inbox from this app.");
    expect(linksOf(review)).toContain(
      `${server.baseUrl}/${w.tenant.id}/portal/consent-requests/${megan.requestId}`,
    );

    // Going back to the app meanwhile: the app learns that approval is pending (90095).
    const back = await submit(megan.browser, megan.sent);
    expect(await rejection(megan.auth.redeem(expectApp(back)))).toMatchObject({
      error: "access_denied",
      error_codes: "[90095]",
    });

    // The administrator reviews and approves for the Sales group only, through the API.
    const detail = await api("GET", `/api/v1/consentRequests/${megan.requestId}`);
    expect(detail.status).toBe(200);
    expect(detail.body.requesters).toMatchObject([
      { userId: w.megan.id, justification: "I answer the sales inbox from this app." },
    ]);
    const approved = await api("POST", `/api/v1/consentRequests/${megan.requestId}/approve`, {
      audience: { type: "groups", ids: [sales.id] },
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.request.status).toBe("approved");
    expect(approved.body.grants).toMatchObject([{ consentType: "Groups", groupIds: [sales.id] }]);

    // Megan gets the approval email, with "Try again".
    const approval = await waitForMail(inbox, w.megan.userPrincipalName, /was approved/);
    expect(approval.text).toContain("Try again");
    const statusPage = expectPage(await walk(megan.browser, megan.status));
    expect(textOf(statusPage.html)).toContain("Status: Approved");
    expect(statusPage.html).toContain(">Try again</a>");

    // A member of Sales signs in with no prompt and gets the scopes.
    const member = await signInToApp(w, w.megan);
    const tokens = await member.auth.redeem(expectApp(member.stop));
    expect(String(claimsOf(tokens.access_token).scp).split(" ")).toContain("Mail.Read");
    expect(claimsOf(tokens.access_token).aud).toBe("api://assent-mail");

    // A non-member still gets "Approval required", and asks in a new request.
    const other = await askForApproval(w, nestor, "I need it too, for support.");
    expect(other.requestId).not.toBe(megan.requestId);
    const theirStatus = await openSignedIn(new Browser(), other.status, nestor);
    expect(textOf(theirStatus.html)).toContain("Waiting for a reviewer");
  });

  it("deny with a reason: the requester is told why and may ask again", async (ctx) => {
    if (!t) return ctx.skip();
    const { w, api } = await organisation("scn-deny");
    const megan = await askForApproval(w, w.megan, "Reading invoices.");
    await waitForMail(inbox, w.admin.userPrincipalName, /Review the request/);

    const denied = await api("POST", `/api/v1/consentRequests/${megan.requestId}/deny`, {
      reason: "Use the approved mail client instead.",
    });
    expect(denied.status, JSON.stringify(denied.body)).toBe(200);
    const email = await waitForMail(inbox, w.megan.userPrincipalName, /was denied/);
    expect(email.text).toContain("Use the approved mail client instead.");
    const status = textOf(expectPage(await walk(megan.browser, megan.status)).html);
    expect(status).toContain("Status: Denied");
    expect(status).toContain("Use the approved mail client instead.");

    // Denied is not blocked: signing in again leads to "Approval required" again.
    const again = await signInToApp(w, w.megan);
    expect(textOf(expectPage(again.stop).html)).toContain("Approval required");
  });

  it("block with a reason: requesters are told, nobody gets in, no request is possible", async (ctx) => {
    if (!t) return ctx.skip();
    const { w, api } = await organisation("scn-block");
    const megan = await askForApproval(w, w.megan, "Mail merge for newsletters.");
    await waitForMail(inbox, w.admin.userPrincipalName, /Review the request/);

    const blocked = await api("POST", `/api/v1/consentRequests/${megan.requestId}/block`, {
      reason: "This publisher is not trusted.",
    });
    expect(blocked.status, JSON.stringify(blocked.body)).toBe(200);
    const email = await waitForMail(inbox, w.megan.userPrincipalName, /was blocked/);
    expect(email.text).toContain("This publisher is not trusted.");
    const status = textOf(expectPage(await walk(megan.browser, megan.status)).html);
    expect(status).toContain("Your organization has blocked this app");
    expect(status).toContain("This publisher is not trusted.");
    expect(status).not.toContain("Withdraw");

    // Signing in again: no "Approval required", and the app is told it is disabled (7000112).
    const again = await signInToApp(w, w.megan);
    const page = expectPage(again.stop);
    expect(page.html).not.toContain("Request approval");
    const callback = expectApp(await walk(again.browser, continueUrl(again.stop)));
    expect(await rejection(again.auth.redeem(callback))).toMatchObject({
      error: "unauthorized_client",
      error_codes: "[7000112]",
    });
  });

  it("expiry: a request nobody decides expires on the workflow's clock; requester and reviewers are told", async (ctx) => {
    if (!t) return ctx.skip();
    const { w } = await organisation("scn-expire", { requestDurationInDays: 1 });
    const megan = await askForApproval(w, w.megan, "Weekly reports.");
    const pending = textOf(expectPage(await walk(megan.browser, megan.status)).html);
    expect(pending).toContain("Waiting for a reviewer");

    // Two days later on the workflow's clock, the sweep expires the request.
    server.clock.offsetMs = 2 * 24 * 60 * 60 * 1000;
    try {
      const email = await waitForMail(inbox, w.megan.userPrincipalName, /expired/);
      expect(email.subject).toContain("Northwind CRM");
      await waitForMail(inbox, w.admin.userPrincipalName, /expired/);
    } finally {
      server.clock.offsetMs = 0;
    }
    const status = textOf(expectPage(await walk(megan.browser, megan.status)).html);
    expect(status).toContain("Status: Expired");
    expect(status).not.toContain("Withdraw");

    // The user may ask again: a new request.
    const again = await askForApproval(w, w.megan, "Weekly reports, still.");
    expect(again.requestId).not.toBe(megan.requestId);
  });
});
