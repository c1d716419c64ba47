import * as oidc from "openid-client";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import { createApplication } from "../../src/identity/apps/index.ts";
import {
  expectHeading,
  openMail,
  type Screenshot,
  screenshots,
  shownText,
  shownTextOf,
  signInIfAsked,
} from "../demo/support/pages.ts";
import { type DemoStack, STACK_DATABASES, startDemoStack } from "../demo/support/stack.ts";
import { launchBrowser, type TestBrowser } from "../support/browser.ts";
import { ensurePortalBuilt, screenshot } from "./portal-support.ts";

/**
 * The story of ../shared/reference/scenario-admin-approval.md, clicked through in a real
 * Chromium against everything `assent start` runs, seeded as `assent start` seeds it:
 * Megan connects her mailbox to the demo app (Northwind CRM, a customer of Assent Connect),
 * Contoso says "Approval required", she asks with a justification; the administrator finds the
 * notification in their own mailbox, follows its link into the admin portal, finds the request
 * under Admin consent requests > All and approves it for Sales; Megan gets the approval email,
 * follows "Try again" and connects, and the CRM lists her mail; then Lee, also in Sales,
 * connects without asking.
 *
 * Then the story's later paragraphs, in order:
 * - "Enable admin approval" / user consent settings: the administrator lets users consent to
 *   apps from verified publishers (or registered in Contoso) for low-impact permissions. Diego
 *   (Marketing) then consents himself to Contoso's own sign-in-only app, which asked for
 *   approval before; Northwind CRM (unverified publisher, Mail.Read) still needs approval.
 * - "whitelist it for all the other users, via Assign Users and Groups": the administrator
 *   consents for the whole organization (Entra's documented way to admit some users: admin
 *   consent, then Assignment required and assignments): from the app's Permissions tab, "Grant
 *   admin consent for Contoso", then Assignment required and Sales and Diego assigned; Diego
 *   connects without asking, Nestor (not assigned) is refused.
 * - Troubleshooting: from the details on Megan's "Approval required" and on Nestor's error page
 *   (request id, correlation id, timestamp) the administrator finds the same sign-ins in
 *   Sign-in logs by their email and the time.
 *
 * Every step asserts what the person sees, and is kept as a screenshot under test-results/
 * (git-ignored); with ASSENT_SCREENSHOTS=1 the README's images in docs/screenshots/ are redone.
 */

const MEGAN = "megan@contoso.com";
const LEE = "lee@contoso.com";
const ADMIN = "admin@contoso.com";
const DIEGO = "diego@contoso.com";
const NESTOR = "nestor@contoso.com";
const JUSTIFICATION =
  "I keep the Fabrikam account in Northwind CRM and need my customer mail there.";

describe.each(STACK_DATABASES)("the admin approval scenario in a browser on %s", (kind) => {
  let browser: TestBrowser | undefined;
  let stack: DemoStack | undefined;
  // The story's people and their browsers, kept from one step of the story to the next.
  let shot: Screenshot;
  let admin: Page;
  let contosoId = "";
  let nestorPage: Page | undefined;
  let meganDetails: Record<string, string> | undefined;
  let meganApprovalDetails: Record<string, string> | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
    if (!browser) return;
    await ensurePortalBuilt();
    stack = await startDemoStack(kind);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /**
   * The administrator, having followed the email's review link into the portal, signs in on
   * Contoso's own sign-in page, lands on the request with Megan's justification, finds it under Admin
   * consent requests > All, and approves it for the Sales group.
   */
  async function approveInPortal(admin: Page, reviewLink: string, shot: Screenshot) {
    await expectHeading(admin, "Sign in");
    await signInIfAsked(admin, ADMIN);
    const requestHeading = admin.getByRole("heading", { level: 1, name: "Northwind CRM" });
    await requestHeading.waitFor();
    expect(admin.url()).toBe(reviewLink);
    await admin.getByText(JUSTIFICATION).waitFor();
    expect(await shownText(admin)).toContain(MEGAN);
    await shot(admin, "portal-consent-request");

    await admin.getByRole("link", { name: "Admin consent requests" }).click();
    await admin.getByRole("heading", { level: 1, name: "Admin consent requests" }).waitFor();
    await admin.getByRole("link", { name: "All", exact: true }).click();
    await admin.waitForURL(/filter=all/);
    const row = admin.getByRole("row", { name: /Northwind CRM/ });
    await row.waitFor();
    expect(await row.textContent()).toContain("Pending");
    expect(await row.textContent()).toContain("1 user");
    await shot(admin, "portal-admin-consent-requests-all");
    await screenshot(admin, "scenario-admin-consent-requests");

    await row.getByRole("link", { name: /Northwind CRM/ }).click();
    await requestHeading.waitFor();
    await admin.getByRole("button", { name: "Approve" }).click();
    const dialog = admin.getByRole("dialog", { name: /Approve Northwind CRM/ });
    await dialog.waitFor();
    await dialog.getByLabel("Members of groups").check();
    await dialog.getByLabel("Sales").check();
    await shot(admin, "portal-approve-for-sales");
    await dialog.getByRole("button", { name: "Approve" }).click();
    await dialog.waitFor({ state: "detached" });
    await admin.locator(".badge.approved").first().waitFor();
    // The group's name arrives with the group list, after the decision itself.
    await expect
      .poll(async () => (await admin.locator(".approval").textContent()) ?? "")
      .toContain("to members of Sales");
    expect(await admin.locator(".approval").textContent()).toContain("Mail.Read");
    await shot(admin, "portal-approved");
  }

  it("Megan asks for approval, the administrator approves for Sales, Megan connects and the CRM lists her mail; Lee connects without asking", async (ctx) => {
    if (!browser || !stack) return ctx.skip();
    const s = stack;
    const { urls } = s;
    shot = screenshots(`scenario-${kind}`);
    const contoso = s.running.demo?.tenants.find((t) => t.slug === "contoso");
    if (!contoso) throw new Error("the demo seed has no contoso tenant");
    contosoId = contoso.id;

    // Megan opens the CRM and connects her mailbox: Connect sends her to Identity's sign-in.
    const megan = await browser.newPage();
    await megan.goto(urls.crm);
    let text = await expectHeading(megan, "Connect your mailbox");
    expect(text).toContain("a CRM that wants to read your mail");
    await megan.fill("#login_hint", MEGAN);
    await shot(megan, "crm-connect-your-mailbox");
    await megan.getByRole("button", { name: "Connect your mailbox" }).click();
    text = await expectHeading(megan, "Sign in");
    expect(megan.url().startsWith(`${urls.identity}/${contoso.id}/`)).toBe(true);
    expect(text).toContain("to continue to Northwind CRM (Contoso)");
    expect(await megan.inputValue('input[name="username"]')).toBe(MEGAN);
    await shot(megan, "identity-sign-in");
    await signInIfAsked(megan, MEGAN);

    // Contoso does not let users consent: Approval required; she explains and asks.
    text = await expectHeading(megan, "Approval required");
    expect(text).toContain("Northwind CRM");
    expect(text).toContain(MEGAN);
    expect(text).toContain("only an administrator of your organization can grant");
    expect(text).toContain("Why do you need this app? (required)");
    // Its troubleshooting details: what Megan gives the administrator (story: Troubleshooting).
    expect(text).toContain("Troubleshooting details");
    meganApprovalDetails = await troubleshootingOf(megan);
    expect(meganApprovalDetails).toMatchObject({
      "Error Code": "90095",
      User: MEGAN,
      "App name": "Northwind CRM",
    });
    await megan.fill("#justification", JUSTIFICATION);
    await shot(megan, "identity-approval-required");
    await screenshot(megan, "scenario-approval-required");
    await megan.getByRole("button", { name: "Request approval" }).click();
    text = await expectHeading(megan, "Request sent");
    expect(text).toContain("Your request for approval was sent.");
    expect(text).toContain("The reviewers in your organization have been notified by email.");
    expect(text).toContain(JUSTIFICATION);
    await shot(megan, "identity-request-sent");

    // Back to the app: Connect says what happened, and its link returns to the CRM.
    await megan.getByRole("button", { name: "Back to the app" }).click();
    text = await expectHeading(megan, "Approval requested");
    expect(megan.url().startsWith(urls.connect)).toBe(true);
    expect(text).toContain("your request for approval has been sent to them");
    await shot(megan, "connect-approval-requested");
    meganDetails = await troubleshootingOf(megan, "dl");
    expect(meganDetails).toMatchObject({ "Provider code": "90095", Account: MEGAN });
    await megan.getByRole("link", { name: "Return to the application" }).click();
    text = await expectHeading(megan, "Waiting for your administrator's approval");
    expect(megan.url()).toBe(`${urls.crm}/`);
    expect(text).toContain("Your request for approval was sent to them.");
    expect(text).toContain(`Account: ${MEGAN}`);
    expect(await megan.getByRole("button", { name: "Try again" }).count()).toBe(1);
    await shot(megan, "crm-waiting-for-approval");

    // The administrator finds the notification in their own mailbox, with the review link.
    // The administrator's browser reads times in UTC, as the troubleshooting details give them.
    admin = await browser.newPage({ timezoneId: "UTC" });
    const review = await openMail(admin, urls.mailbox, ADMIN, /Review the request to use/);
    const reviewText = await shownTextOf(review);
    expect(reviewText).toContain("Review the request to use Northwind CRM");
    expect(reviewText).toContain("Megan Bowen asked for admin consent to Northwind CRM.");
    expect(reviewText).toContain(JUSTIFICATION);
    expect(reviewText).toContain("Unknown publisher (not verified)");
    expect(reviewText).toContain("offline_access, Mail.Read");
    const link = review.locator('a[href*="/portal/consent-requests/"]').first();
    const href = await link.getAttribute("href");
    const reviewLink = new URL(href ?? "");
    expect(reviewLink.href).toMatch(
      new RegExp(`^${urls.identity}/${contoso.id}/portal/consent-requests/[0-9a-f-]{36}$`),
    );
    await shot(admin, "admin-mailbox-review-request");

    await link.click();
    await approveInPortal(admin, reviewLink.href, shot);

    // Megan's approval email: its "Try again" is the CRM's home page, where she connects.
    const approval = await openMail(megan, urls.mailbox, MEGAN, /was approved/);
    const approvalText = await shownTextOf(approval);
    expect(approvalText).toContain("Your request to use Northwind CRM was approved");
    expect(approvalText).toContain("An administrator approved Northwind CRM.");
    expect(approvalText).toContain(`Try again (${urls.crm}/)`);
    await shot(megan, "megan-mailbox-approved");
    await approval.locator(`a[href="${urls.crm}/"]`).first().click();
    await expectHeading(megan, "Waiting for your administrator's approval");
    await megan.getByRole("button", { name: "Try again" }).click();
    await signInIfAsked(megan, MEGAN);
    text = await expectHeading(megan, "Your mailbox is connected");
    expect(megan.url()).toBe(`${urls.crm}/`);
    expect(text).toContain(`Northwind CRM reads the mail of ${MEGAN}.`);
    expect(text).toContain("Recent messages");
    for (const subject of [
      "Q4 pipeline review",
      "Welcome to Contoso mail",
      "Your request to use Northwind CRM was approved",
    ])
      expect(text).toContain(subject);
    expect(text).toContain("Lee Gu <lee@contoso.com>");
    await shot(megan, "crm-megan-connected");
    await screenshot(megan, "scenario-crm-connected");

    // Lee is in Sales too: he connects without being asked anything (and without JavaScript).
    const lee = await browser.newPage({ javaScriptEnabled: false });
    await lee.goto(urls.crm);
    await expectHeading(lee, "Connect your mailbox");
    await lee.fill("#login_hint", LEE);
    await lee.getByRole("button", { name: "Connect your mailbox" }).click();
    await expectHeading(lee, "Sign in");
    await signInIfAsked(lee, LEE);
    text = await expectHeading(lee, "Your mailbox is connected");
    expect(text).toContain(`Northwind CRM reads the mail of ${LEE}.`);
    expect(text).toContain("Re: Fabrikam renewal");
    expect(text).toContain("Megan Bowen <megan@contoso.com>");
    expect(text).not.toContain("Q4 pipeline review");
    await shot(lee, "crm-lee-connected");

    // Connect holds one grant per person, as the CRM's developer sees through the API.
    const grants = await fetch(`${urls.connect}/v3/grants`, {
      headers: { authorization: `Bearer ${s.running.demo?.crm?.apiKey}` },
    });
    const listed = ((await grants.json()) as { data: Array<{ email: string }> }).data;
    expect(listed.map((g) => g.email).sort()).toEqual([LEE, MEGAN]);
    expect(await shownText(lee)).not.toContain("Approval required");
  }, 300_000);
  /** Opens the CRM, asks to connect `upn`'s mailbox, and signs in when Identity asks. */
  async function connectFromCrm(page: Page, crm: string, upn: string): Promise<void> {
    await page.goto(crm);
    await expectHeading(page, "Connect your mailbox");
    await page.fill("#login_hint", upn);
    await page.getByRole("button", { name: "Connect your mailbox" }).click();
    // Wherever Connect and Identity stop: asking to sign in, or (signed in) the outcome.
    await expectHeading(
      page,
      /^(Sign in|Approval required|Permissions requested|Your mailbox is connected|Sorry, but we're having trouble signing you in\.)$/,
    );
    await signInIfAsked(page, upn);
  }

  /** The troubleshooting details of a page, by name (Request Id, Timestamp, ...). */
  async function troubleshootingOf(
    page: Page,
    list = "dl.trouble",
  ): Promise<Record<string, string>> {
    const names = await page.locator(`${list} dt`).allInnerTexts();
    const values = await page.locator(`${list} dd`).allInnerTexts();
    return Object.fromEntries(names.map((n, i) => [n.trim(), (values[i] ?? "").trim()]));
  }

  /** A portal page of the administrator's, from the navigation. */
  async function portalNav(page: Page, link: string, heading: string | RegExp) {
    await page
      .getByRole("navigation", { name: "Portal" })
      .getByRole("link", { name: link, exact: true })
      .click();
    await page.getByRole("heading", { level: 1, name: heading }).waitFor();
  }

  // "The mail administrator can configure these settings ... This lets users consent to the app
  // without having to contact admin": with "verified publishers, for selected permissions" a
  // user consents to an app of a verified publisher or registered in the organization asking
  // only for low-impact permissions (openid, profile, email, offline_access, User.Read), and
  // nothing else: Northwind CRM (unverified publisher, Mail.Read) still needs approval (Entra:
  // configure-user-consent, permission classifications, risk-based step-up).
  it("user consent for verified publishers and low-impact permissions: Diego consents to Contoso's own app himself; Northwind CRM still needs approval", async (ctx) => {
    if (!browser || !stack || !admin) return ctx.skip();
    const { urls } = stack;
    // Contoso's own sign-in-only app, registered in Contoso: the kind of app that qualifies.
    const directoryApp = await createApplication(
      stack.running.database.db,
      contosoId,
      {
        displayName: "Contoso Team Directory",
        isPublicClient: true,
        redirectUris: [`${urls.crm}/team-directory`],
      },
      CLI_ACTOR,
    );
    const verifier = oidc.randomPKCECodeVerifier();
    const signInToDirectory = new URL(`${urls.identity}/${contosoId}/oauth2/v2.0/authorize`);
    for (const [k, v] of Object.entries({
      client_id: directoryApp.appId,
      response_type: "code",
      redirect_uri: `${urls.crm}/team-directory`,
      scope: "openid profile email User.Read",
      state: "directory-1",
      login_hint: DIEGO,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    }))
      signInToDirectory.searchParams.set(k, v);

    // Before: users may not consent at all, so even Contoso's own app needs approval.
    const diego = await browser.newPage();
    await diego.goto(signInToDirectory.href);
    await expectHeading(diego, "Sign in");
    await signInIfAsked(diego, DIEGO);
    let text = await expectHeading(diego, "Approval required");
    expect(text).toContain("Contoso Team Directory");
    await shot(diego, "identity-directory-approval-required-before");

    // The administrator changes Consent and permissions > User consent settings.
    await portalNav(admin, "Consent and permissions", "Consent and permissions");
    const option = admin.getByLabel(
      "Allow user consent for apps from verified publishers, for selected permissions (Recommended)",
    );
    await option.check();
    const userConsent = admin.locator("section", {
      has: admin.getByRole("heading", { name: "User consent settings" }),
    });
    await userConsent.getByRole("button", { name: "Save" }).click();
    await userConsent.getByText("User consent settings saved.").waitFor();
    expect(await option.isChecked()).toBe(true);
    await shot(admin, "portal-user-consent-verified-publishers");

    // After: Diego consents to Contoso's own app himself, and is back at it with a code.
    await diego.goto(signInToDirectory.href);
    text = await expectHeading(diego, "Permissions requested");
    expect(text).toContain("Contoso Team Directory");
    expect(text).not.toContain("Approval required");
    expect(text).not.toContain("Consent on behalf of your organization");
    await shot(diego, "identity-directory-user-consent");
    await diego.getByRole("button", { name: "Accept" }).click();
    await diego.waitForURL((url) => url.href.startsWith(`${urls.crm}/team-directory?`));
    const back = new URL(diego.url());
    expect(back.searchParams.get("state")).toBe("directory-1");
    expect(back.searchParams.get("code")).toBeTruthy();
    expect(back.searchParams.get("error")).toBeNull();

    // Northwind CRM is not from a verified publisher and wants Mail.Read: still approval.
    await connectFromCrm(diego, urls.crm, DIEGO);
    text = await expectHeading(diego, "Approval required");
    expect(text).toContain("Northwind CRM");
    expect(text).toContain(DIEGO);
    expect(text).toContain("Unverified");
    await shot(diego, "identity-crm-still-approval-required");
    await diego.context().close();
  }, 240_000);

  // "Once the application has been added by the admin can whitelist it for all the other users,
  // via Assign Users and Groups": Entra approves for everyone or no one; to admit some users the
  // documented way is admin consent for the organization, then Assignment required and the
  // users and groups assigned (admin-consent-workflow-faq).
  it("the administrator consents for the organization and assigns Sales and Diego: Diego connects without asking, Nestor is refused", async (ctx) => {
    if (!browser || !stack || !admin) return ctx.skip();
    const { urls } = stack;

    // Enterprise applications > Northwind CRM > Permissions: "Grant admin consent for Contoso"
    // takes the administrator through Contoso's admin consent and back to the same tab.
    await admin.bringToFront();
    await portalNav(admin, "All applications", /Enterprise applications/);
    await admin.getByRole("link", { name: "Northwind CRM" }).first().click();
    await admin.getByRole("heading", { level: 1, name: "Northwind CRM" }).waitFor();
    await admin.getByRole("link", { name: "Permissions", exact: true }).click();
    await admin.getByRole("button", { name: "Grant admin consent for Contoso" }).click();
    await expectHeading(admin, /^(Sign in|Permissions requested)$/);
    await signInIfAsked(admin, ADMIN);
    let text = await expectHeading(admin, "Permissions requested");
    expect(text).toContain("Northwind CRM");
    expect(text).toContain("Accept for your organization (Contoso)");
    expect(text).toContain("Read user mail");
    await shot(admin, "identity-admin-consents-for-organization");
    await admin.getByRole("button", { name: "Accept" }).click();
    await admin.getByRole("heading", { level: 1, name: "Northwind CRM" }).waitFor();
    expect(new URL(admin.url()).pathname).toMatch(/\/enterprise-apps\/[^/]+\/permissions$/);
    const tenantWide = admin.getByRole("row", {
      name: /Everyone in the organization \(admin consent\)/,
    });
    await tenantWide.waitFor();
    expect(await tenantWide.textContent()).toContain("Mail.Read");
    await shot(admin, "portal-app-admin-consent-granted");

    // Properties: Assignment required.
    await admin.getByRole("link", { name: "Properties" }).click();
    const required = admin.getByLabel("Assignment required");
    await required.check();
    await admin.getByRole("button", { name: "Save" }).click();
    await admin.getByRole("status").filter({ hasText: /saved/i }).first().waitFor();
    await shot(admin, "portal-app-assignment-required");

    // Users and groups: the Sales group and Diego.
    await admin.getByRole("link", { name: "Users and groups" }).click();
    await admin.getByRole("heading", { name: "Users and groups" }).waitFor();
    const pick = admin.getByLabel("Add a user or group");
    const assignments: Array<[string, string]> = [
      ["Group: Sales", "Sales assigned."],
      [`User: Diego Siciliani (${DIEGO})`, "Diego Siciliani assigned."],
    ];
    for (const [option, assigned] of assignments) {
      await pick.locator("option", { hasText: option }).waitFor({ state: "attached" });
      await pick.selectOption({ label: option });
      await admin.getByRole("button", { name: "Assign", exact: true }).click();
      await admin.getByText(assigned).waitFor();
    }
    const table = admin.getByRole("table", { name: "Assigned users and groups" });
    await table.getByRole("row", { name: /Diego Siciliani/ }).waitFor();
    await table.getByRole("row", { name: /Sales/ }).waitFor();
    await shot(admin, "portal-app-users-and-groups");
    await screenshot(admin, "scenario-users-and-groups");

    // Diego, assigned, connects without being asked anything; the CRM lists his mail.
    const diego = await browser.newPage();
    await connectFromCrm(diego, urls.crm, DIEGO);
    text = await expectHeading(diego, "Your mailbox is connected");
    expect(text).toContain(`Northwind CRM reads the mail of ${DIEGO}.`);
    expect(text).toContain("Fabrikam case study");
    expect(text).not.toContain("Approval required");
    await shot(diego, "crm-diego-connected");

    // Nestor is in no assigned group: Identity refuses him with the troubleshooting details.
    const nestor = await browser.newPage();
    await connectFromCrm(nestor, urls.crm, NESTOR);
    text = await expectHeading(nestor, "Sorry, but we're having trouble signing you in.");
    expect(text).toContain("The signed in user is not assigned to a role for the application.");
    expect(text).toContain("Troubleshooting details");
    expect(text).toContain("Error Code 50105");
    await shot(nestor, "identity-nestor-not-assigned");
    nestorPage = nestor;

    // Connect holds one grant per person who connected.
    const grants = await fetch(`${urls.connect}/v3/grants`, {
      headers: { authorization: `Bearer ${stack.running.demo?.crm?.apiKey}` },
    });
    const listed = ((await grants.json()) as { data: Array<{ email: string }> }).data;
    expect(listed.map((g) => g.email).sort()).toEqual([DIEGO, LEE, MEGAN]);
  }, 300_000);

  // "Troubleshooting: Contact the customer's mail administrator with ... Timestamp of login
  // attempt, Email address of the account ... Azure > Monitor > Logins": the error page's
  // details lead the administrator to the same event in Monitoring > Sign-in logs.
  /**
   * Monitoring > Sign-in logs filtered by the account's email and the minute of `timestamp`
   * (Entra's "2026-11-26 15:37:52Z"): waits for the event whose row shows `code` (the log is
   * written in the background), opens its details and returns their text. Where several rows
   * show the code, the one whose details carry `requestId` is the one.
   */
  async function findSignIn(
    upn: string,
    timestamp: string,
    code: string,
    requestId: string,
  ): Promise<string> {
    const stamp = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d):\d\dZ$/.exec(timestamp);
    if (!stamp) throw new Error(`not an Entra timestamp: ${timestamp}`);
    const minute = `${stamp[1]}T${stamp[2]}`;
    await portalNav(admin, "Sign-in logs", "Sign-in logs");
    const filters = admin.getByRole("form", { name: "Filters" });
    await filters.getByLabel("From").fill(minute);
    await filters.getByLabel("To").fill(minute);
    await filters.getByLabel("User (start of the user name)").fill(upn);
    const row = admin.getByRole("row", { name: new RegExp(`${upn}.*${code}`) });
    const panel = admin.locator("section.details");
    // The sign-in log is written in batches a moment after the sign-in: apply the filters again
    // until the event with this request id is among the rows (a user may have several).
    const details = async (): Promise<string> => {
      await filters.getByRole("button", { name: "Apply" }).click();
      await admin.waitForURL(/sign-in-logs\?/);
      for (const one of await row.all()) {
        expect(await one.textContent()).toContain("Northwind CRM");
        await one.getByRole("button", { name: /Details of the sign-in/ }).click();
        await panel.waitFor();
        const text = await shownTextOf(panel);
        if (text.includes(`Request id ${requestId}`)) return text;
      }
      return "";
    };
    let found = "";
    await expect
      .poll(
        async () => {
          found = await details();
          return found !== "";
        },
        {
          timeout: 60_000,
          interval: 500,
          message: `a ${code} sign-in of ${upn} with request id ${requestId} in Sign-in logs`,
        },
      )
      .toBe(true);
    // The filter by user shows this user's sign-ins only.
    for (const shown of await admin.getByRole("row").filter({ hasText: "@contoso.com" }).all())
      expect(await shown.textContent()).toContain(upn);
    return found;
  }

  // "Troubleshooting: Contact the customer's mail administrator with ... Timestamp of login
  // attempt, Email address of the account ... Azure > Monitor > Logins": the details on the
  // page a user was stopped at lead the administrator to the same event in Sign-in logs.
  it("troubleshooting: the administrator finds Megan's and Nestor's sign-ins in Sign-in logs by email and time", async (ctx) => {
    if (!browser || !stack || !admin || !nestorPage || !meganDetails) return ctx.skip();

    // Megan's first stop, Connect's "Approval requested", carries Contoso's own details.
    expect(meganDetails["Provider request id"]).toMatch(/^[0-9a-f-]{36}$/);
    const meganRequestId = meganDetails["Provider request id"] ?? "";
    let panel = await findSignIn(
      MEGAN,
      meganDetails["Provider timestamp"] ?? "",
      "90095",
      meganRequestId,
    );
    expect(panel).toContain(`Request id ${meganDetails["Provider request id"]}`);
    expect(panel).toContain("Status Interrupted");
    expect(panel).toContain("AST90095");
    await shot(admin, "portal-sign-in-log-megan-interrupted");

    // Megan's "Approval required" itself: its details find the interrupted sign-in it logged.
    const approval = meganApprovalDetails ?? {};
    expect(approval["Request Id"]).toMatch(/^[0-9a-f-]{36}$/);
    panel = await findSignIn(
      MEGAN,
      approval.Timestamp ?? "",
      "90095",
      approval["Request Id"] ?? "",
    );
    expect(panel).toContain(`Correlation id ${approval["Correlation Id"]}`);
    expect(panel).toContain("Status Interrupted");
    expect(panel).toContain("AST90095");

    // Nestor's error page: Error Code, Request Id, Correlation Id, Timestamp.
    const details = await troubleshootingOf(nestorPage);
    expect(details["Request Id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(details["Correlation Id"]).toMatch(/^[0-9a-f-]{36}$/);
    panel = await findSignIn(NESTOR, details.Timestamp ?? "", "50105", details["Request Id"] ?? "");
    expect(panel).toContain(`Request id ${details["Request Id"]}`);
    expect(panel).toContain(`Correlation id ${details["Correlation Id"]}`);
    expect(panel).toContain("Status Failure");
    expect(panel).toContain("AST50105");
    await shot(admin, "portal-sign-in-log-found");
    await screenshot(admin, "scenario-sign-in-logs");
  }, 180_000);
});
