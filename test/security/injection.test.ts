import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import {
  type Application,
  createApplication,
  MAIL_APPLICATION_ID,
  setPublisherDisplayName,
} from "../../src/identity/apps/index.ts";
import {
  approveConsentRequest,
  denyConsentRequest,
  submitConsentRequest,
} from "../../src/identity/consent-requests/index.ts";
import { createDirectory, type User } from "../../src/identity/directory/index.ts";
import { signingKeysOnTenantCreated } from "../../src/identity/keys/index.ts";
import { addHostedDomain, createMailApp, deliver } from "../../src/mail/index.ts";
import { authorizeRequest, expectPage, REDIRECT_URI, walk } from "../identity/consent/support.ts";
import {
  type MailingIdentity,
  openSignedIn,
  reachApprovalPage,
  requestApproval,
  startMailingIdentity,
  statusLinkOf,
} from "../identity/consent-requests/pages-support.ts";
import { waitFor } from "../identity/consent-requests/servers.ts";
import { seedWorkflow, type Workflow } from "../identity/consent-requests/support.ts";
import { Browser } from "../identity/oauth/support/browser.ts";
import { PASSWORD } from "../identity/oauth/support/fixture.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import {
  HOSTILE_NAME,
  headerBlock,
  listenRawSmtp,
  type RawMail,
  RLO,
  unescapedMarkup,
} from "./support/payloads.ts";

/**
 * Hostile app names, publisher names, user display names and justifications through every
 * server-rendered page that shows them and every notification email: escaped in HTML, shown
 * literally, never a header of their own in an email.
 */

const ESCAPED_SCRIPT = "&lt;script&gt;window.__pwned=1&lt;/script&gt;";

function expectInert(html: string, where: string) {
  expect(unescapedMarkup(html), where).toEqual([]);
  expect(html, where).toContain(ESCAPED_SCRIPT);
}

// PostgreSQL too: the hostile strings are stored and read back by each dialect. Without a
// reachable PostgreSQL that variant is skipped, and in CI it fails (test/support/databases.ts).
const KINDS = ["pglite", "postgres"] as const;

describe.each(KINDS)("injection through pages and email on %s", (kind) => {
  let t: TestDatabase | undefined;
  let smtp: Awaited<ReturnType<typeof listenRawSmtp>>;
  let server: MailingIdentity;
  let w: Workflow;
  let evil: Application;
  let mallory: User;
  let issuer: string;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (!t) return;
    smtp = await listenRawSmtp();
    server = await startMailingIdentity(t, smtp.port);
    w = await seedWorkflow(t, "inj", {
      onTenantCreated: [signingKeysOnTenantCreated(server.keyRing)],
    });
    issuer = `${server.baseUrl}/${w.tenant.id}/v2.0`;
    const { db } = t.database;
    evil = await createApplication(
      db,
      w.publisher.id,
      {
        displayName: HOSTILE_NAME,
        isPublicClient: true,
        signInAudience: "AzureADMultipleOrgs",
        redirectUris: [REDIRECT_URI],
      },
      CLI_ACTOR,
    );
    await setPublisherDisplayName(db, w.publisher.id, evil.id, `Pub ${HOSTILE_NAME}`, CLI_ACTOR);
    mallory = await createDirectory({ database: t.database }).users.create(
      w.tenant.id,
      {
        userPrincipalName: "mallory@inj.example",
        displayName: `Mallory ${HOSTILE_NAME}`,
        password: PASSWORD,
      },
      CLI_ACTOR,
    );
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
    await t?.close();
  });
  beforeEach((ctx) => {
    if (!t) ctx.skip();
  });

  const mailsTo = (address: string) =>
    smtp.inbox.filter((m) =>
      [m.parsed.to ?? []].flat().some((a) => a.value.some((v) => v.address === address)),
    );

  function expectCleanMail(mail: RawMail, where: string) {
    const headers = headerBlock(mail.raw);
    // Each header line is a header or a folded continuation; no payload starts a line.
    for (const line of headers.split("\r\n"))
      expect(line, `${where}: header line`).toMatch(/^([A-Za-z-]+: |[ \t])/);
    expect(headers, where).not.toMatch(/^(Bcc|X-Injected):/im);
    const html = typeof mail.parsed.html === "string" ? mail.parsed.html : "";
    expect(unescapedMarkup(html), `${where}: html`).toEqual([]);
  }

  it("shows every hostile string inertly on approval required, request sent and status pages, and emails", async () => {
    const browser = new Browser();
    const approval = await reachApprovalPage(browser, { issuer }, evil, mallory);
    expect(approval.html).toContain("Approval required");
    expectInert(approval.html, "approval required");
    expect(approval.html).toContain("Pub Evil &lt;script&gt;");

    const justification = `Because ${HOSTILE_NAME}`;
    const sent = expectPage(await requestApproval(browser, approval, justification));
    expectInert(sent.html, "request sent");
    const status = await openSignedIn(browser, statusLinkOf(sent), mallory);
    expect(status.status).toBe(200);
    expectInert(status.html, "request status");
    expect(status.html).toContain(`Because Evil ${ESCAPED_SCRIPT}`);

    // The reviewers' emails: the app's name, the requester's name and the justification.
    await waitFor(() => mailsTo(w.reviewer.userPrincipalName).length > 0, "the reviewer's email");
    const review = mailsTo(w.reviewer.userPrincipalName)[0] as RawMail;
    expectCleanMail(review, "review email");
    expect(review.parsed.subject).toContain("<script>window.__pwned=1</script>");
    expect(review.parsed.text).toContain(justification.trim());

    // The decision's email to the requester.
    const requestId = statusLinkOf(sent).pathname.split("/").pop() as string;
    await approveConsentRequest(
      t!.database.db,
      w.tenant.id,
      requestId,
      { kind: "user", userId: w.appAdmin.id },
      {},
      { links: { publicUrl: server.baseUrl } },
    );
    await waitFor(() => mailsTo(mallory.userPrincipalName).length > 0, "the requester's email");
    expectCleanMail(mailsTo(mallory.userPrincipalName)[0] as RawMail, "approved email");
  });

  it("shows hostile names inertly on the admin consent page", async () => {
    const browser = new Browser();
    const url = new URL(`${server.baseUrl}/${w.tenant.id}/v2.0/adminconsent`);
    url.searchParams.set("client_id", evil.appId);
    url.searchParams.set("scope", "Mail.Read");
    url.searchParams.set("redirect_uri", REDIRECT_URI);
    const page = await openSignedIn(browser, url, w.globalAdmin);
    expect(page.status).toBe(200);
    expectInert(page.html, "admin consent");
    expect(page.html).toContain("Pub Evil &lt;script&gt;");
  });

  it("refuses line breaks and direction overrides in names and justifications, in words", async () => {
    const { db } = t!.database;
    const directory = createDirectory({ database: t!.database });
    for (const bad of [`Contoso ${RLO}fdp.exe`, "CRM\r\nBcc: victim@evil.example", "a\u2066b"]) {
      await expect(
        createApplication(db, w.publisher.id, { displayName: bad }, CLI_ACTOR),
        JSON.stringify(bad),
      ).rejects.toMatchObject({ status: 400, code: "application.invalid_name" });
      await expect(
        setPublisherDisplayName(db, w.publisher.id, evil.id, bad, CLI_ACTOR),
      ).rejects.toMatchObject({ status: 400, code: "application.invalid_publisher" });
      await expect(
        directory.users.create(
          w.tenant.id,
          { userPrincipalName: "eve@inj.example", displayName: bad, password: PASSWORD },
          CLI_ACTOR,
        ),
      ).rejects.toMatchObject({ status: 400 });
    }
    // The justification form answers with the page again and the reason in words.
    const browser = new Browser();
    const approval = await reachApprovalPage(browser, { issuer }, w.app, w.nestor);
    const refused = expectPage(
      await requestApproval(browser, approval, `I need it ${RLO}gnirts\u202C now`),
    );
    expect(refused.status).toBe(400);
    expect(refused.html).toContain("text direction overrides");
    // A justification keeps its line breaks.
    const accepted = expectPage(
      await requestApproval(browser, approval, "Line one\r\nLine two\twith a tab"),
    );
    expect(accepted.status).toBe(200);
  });

  it("sends no header of its own for a subject that looks like one", async () => {
    const app = await createApplication(
      t!.database.db,
      w.publisher.id,
      {
        displayName: `Bcc: victim@evil.example X-Injected: 1 ${"long ".repeat(40)}`.trim(),
        isPublicClient: true,
        signInAudience: "AzureADMultipleOrgs",
        redirectUris: [REDIRECT_URI],
      },
      CLI_ACTOR,
    );
    const browser = new Browser();
    const approval = await reachApprovalPage(browser, { issuer }, app, w.megan);
    await requestApproval(browser, approval, "please");
    const about = () => smtp.inbox.filter((m) => (m.parsed.subject ?? "").includes("Bcc: victim"));
    await waitFor(() => about().length > 0, "the email about the app");
    for (const mail of about()) {
      expectCleanMail(mail, "Bcc-looking app name");
      const recipients = [mail.parsed.to, mail.parsed.cc, mail.parsed.bcc]
        .flat()
        .flatMap((a) => a?.value ?? [])
        .map((v) => v.address);
      expect(recipients).not.toContain("victim@evil.example");
    }
  });
  it("shows hostile mail inertly on Mail's mailbox page, and a 10k justification is refused in words", async () => {
    const { db } = t!.database;
    await addHostedDomain(db, "inj-mail.example", w.tenant.id);
    await deliver(db, {
      from: { address: "evil@evil.example", name: HOSTILE_NAME },
      recipients: ["grace@inj-mail.example"],
      toRecipients: [{ address: "grace@inj-mail.example", name: HOSTILE_NAME }],
      subject: HOSTILE_NAME,
      body: {
        contentType: "html",
        content: `<p>${HOSTILE_NAME}</p><a href="javascript:alert(1)">x</a>`,
      },
    });
    const mail = createMailApp({
      config: loadConfig({ LOG_LEVEL: "silent", ASSENT_MAIL_SMTP_PORT: "0" }),
      database: t!.database,
      logger: pino({ level: "silent" }),
    });
    try {
      const page = await mail.inject({
        url: "/mailbox?address=grace@inj-mail.example",
        remoteAddress: "127.0.0.1",
      });
      expect(page.statusCode).toBe(200);
      expectInert(page.body, "mailbox page");
      expect(page.body).not.toContain("javascript:alert");
    } finally {
      await mail.close();
    }

    const browser = new Browser();
    const approval = await reachApprovalPage(browser, { issuer }, w.app, w.reader);
    const refused = expectPage(await requestApproval(browser, approval, "A".repeat(10_001)));
    expect(refused.status).toBe(400);
    expect(refused.html).toContain("Shorten it");
  });
  it("shows a hostile user display name inertly on the account picker", async () => {
    const browser = new Browser();
    await reachApprovalPage(browser, { issuer }, w.app, mallory);
    const { url } = await authorizeRequest({ issuer }, w.app, "openid", {
      prompt: "select_account",
    });
    const picker = expectPage(await walk(browser, url));
    expect(picker.status).toBe(200);
    expectInert(picker.html, "account picker");
    expect(picker.html).toContain(`Mallory Evil ${ESCAPED_SCRIPT}`);
  });
  it("keeps a reviewer's hostile reason inert in the denial email", async () => {
    const { db } = t!.database;
    const other = await createApplication(
      db,
      w.publisher.id,
      {
        displayName: `${HOSTILE_NAME} 2`,
        isPublicClient: true,
        signInAudience: "AzureADMultipleOrgs",
      },
      CLI_ACTOR,
    );
    const { requestId } = await submitConsentRequest(db, {
      tenantId: w.tenant.id,
      clientApplicationId: other.id,
      userId: w.nestor.id,
      justification: HOSTILE_NAME,
      requested: [{ resourceApplicationId: MAIL_APPLICATION_ID, scopes: ["openid", "Mail.Read"] }],
    });
    await denyConsentRequest(
      db,
      w.tenant.id,
      requestId,
      { kind: "user", userId: w.appAdmin.id },
      `No: ${HOSTILE_NAME}`,
      { links: { publicUrl: server.baseUrl } },
    );
    await waitFor(() => mailsTo(w.nestor.userPrincipalName).length > 0, "the denial email");
    const denial = mailsTo(w.nestor.userPrincipalName)[0] as RawMail;
    expectCleanMail(denial, "denial email");
    const html = typeof denial.parsed.html === "string" ? denial.parsed.html : "";
    expect(html).toContain(ESCAPED_SCRIPT);
  });
});
