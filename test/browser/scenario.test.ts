import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
import { ensurePortalBuilt } from "./portal-support.ts";

/**
 * The story of ../shared/reference/scenario-admin-approval.md, clicked through in a real
 * Chromium against everything `assent start` runs, seeded as `assent start` seeds it:
 * Megan connects her mailbox to the demo app (Northwind CRM, a customer of Assent Connect),
 * Contoso says "Approval required", she asks with a justification; the administrator finds the
 * notification in their own mailbox, follows its link into the admin portal, finds the request
 * under Admin consent requests > All and approves it for Sales; Megan gets the approval email,
 * follows "Try again" and connects, and the CRM lists her mail; then Lee, also in Sales,
 * connects without asking. Every step asserts what the person sees, and is kept as a
 * screenshot under test-results/.
 */

const MEGAN = "megan@contoso.com";
const LEE = "lee@contoso.com";
const ADMIN = "admin@contoso.com";
const JUSTIFICATION =
  "I keep the Fabrikam account in Northwind CRM and need my customer mail there.";

describe.each(STACK_DATABASES)("the admin approval scenario in a browser on %s", (kind) => {
  let browser: TestBrowser | undefined;
  let stack: DemoStack | undefined;
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
    const shot = screenshots(`scenario-${kind}`);
    const contoso = s.running.demo?.tenants.find((t) => t.slug === "contoso");
    if (!contoso) throw new Error("the demo seed has no contoso tenant");

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
    await megan.fill("#justification", JUSTIFICATION);
    await shot(megan, "identity-approval-required");
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
    await megan.getByRole("link", { name: "Return to the application" }).click();
    text = await expectHeading(megan, "Waiting for your administrator's approval");
    expect(megan.url()).toBe(`${urls.crm}/`);
    expect(text).toContain("Your request for approval was sent to them.");
    expect(text).toContain(`Account: ${MEGAN}`);
    expect(await megan.getByRole("button", { name: "Try again" }).count()).toBe(1);
    await shot(megan, "crm-waiting-for-approval");

    // The administrator finds the notification in their own mailbox, with the review link.
    const admin = await browser.newPage();
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
});
