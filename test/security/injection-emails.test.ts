import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import {
  createApplication,
  MAIL_APPLICATION_ID,
  setPublisherDisplayName,
} from "../../src/identity/apps/index.ts";
import { submitConsentRequest } from "../../src/identity/consent-requests/index.ts";
import { createDirectory } from "../../src/identity/directory/index.ts";
import {
  type MailingIdentity,
  startMailingIdentity,
} from "../identity/consent-requests/pages-support.ts";
import { waitFor } from "../identity/consent-requests/servers.ts";
import { seedWorkflow } from "../identity/consent-requests/support.ts";
import { PASSWORD } from "../identity/oauth/support/fixture.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import {
  HOSTILE_NAME,
  headerBlock,
  listenRawSmtp,
  type RawMail,
  SCRIPT,
  unescapedMarkup,
} from "./support/payloads.ts";

/**
 * The admin consent workflow's clock emails (the reviewers' midpoint reminder, and the expiry
 * emails to reviewers and requesters) for a request whose app name, publisher name,
 * justification and requester display name are all hostile: the HTML part escaped, the text part
 * literal, the subject one header line of its own (no CR/LF, no injected header). Time moves
 * through the mailing identity's clock, which its background sweep reads.
 */

const DAY = 24 * 3600 * 1000;
const ESCAPED_SCRIPT = "&lt;script&gt;window.__pwned=1&lt;/script&gt;";

/**
 * A subject compared without spaces and zero-width characters: the decoded subject shows the
 * name's U+FEFF as a space (header decoding drops byte order marks), which is harmless.
 */
const bare = (subject: string | undefined) =>
  (subject ?? "").replace(/\s|\u200B|\u200D|\uFEFF/g, "");

// PostgreSQL too: the hostile strings are stored and read back by each dialect. Without a
// reachable PostgreSQL that variant is skipped, and in CI it fails (test/support/databases.ts).
const KINDS = ["pglite", "postgres"] as const;

describe.each(KINDS)("injection through the reminder and expiry emails on %s", (kind) => {
  let t: TestDatabase | undefined;
  let smtp: Awaited<ReturnType<typeof listenRawSmtp>>;
  let server: MailingIdentity;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (!t) return;
    smtp = await listenRawSmtp();
    server = await startMailingIdentity(t, smtp.port);
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
    await t?.close();
  });

  const mailsTo = (address: string, subjectStart: string) =>
    smtp.inbox.filter(
      (m) =>
        (m.parsed.subject ?? "").startsWith(subjectStart) &&
        [m.parsed.to ?? []].flat().some((a) => a.value.some((v) => v.address === address)),
    );

  function expectCleanMail(mail: RawMail, where: string) {
    const headers = headerBlock(mail.raw);
    // Each header line is a header or a folded continuation; no payload starts a line.
    for (const line of headers.split("\r\n"))
      expect(line, `${where}: header line`).toMatch(/^([A-Za-z-]+: |[ \t])/);
    expect(headers, where).not.toMatch(/^(Bcc|X-Injected):/im);
    // The decoded subject keeps the name as text, on one line.
    const subject = mail.parsed.subject ?? "";
    expect(subject, `${where}: subject`).toContain(SCRIPT);
    expect(subject, `${where}: subject`).not.toMatch(/[\r\n]/);
    // HTML: escaped, never markup; text: the literal name.
    const html = typeof mail.parsed.html === "string" ? mail.parsed.html : "";
    expect(unescapedMarkup(html), `${where}: html`).toEqual([]);
    expect(html, `${where}: html`).toContain(ESCAPED_SCRIPT);
    expect(mail.parsed.text ?? "", `${where}: text`).toContain(SCRIPT);
    expect(mail.parsed.text ?? "", `${where}: text`).not.toContain("&lt;script");
  }

  it("keeps hostile names and justifications inert in the midpoint reminder and the expiry emails", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await seedWorkflow(t, "inj-clock", { policy: { requestDurationInDays: 2 } });
    const evil = await createApplication(
      db,
      w.publisher.id,
      { displayName: HOSTILE_NAME, isPublicClient: true, signInAudience: "AzureADMultipleOrgs" },
      CLI_ACTOR,
    );
    await setPublisherDisplayName(db, w.publisher.id, evil.id, `Pub ${HOSTILE_NAME}`, CLI_ACTOR);
    const mallory = await createDirectory({ database: t.database }).users.create(
      w.tenant.id,
      {
        userPrincipalName: "mallory@inj-clock.example",
        displayName: `Mallory ${HOSTILE_NAME}`,
        password: PASSWORD,
      },
      CLI_ACTOR,
    );
    await submitConsentRequest(
      db,
      {
        tenantId: w.tenant.id,
        clientApplicationId: evil.id,
        userId: mallory.id,
        justification: `Because ${HOSTILE_NAME}\r\nBcc: victim@evil.example`,
        requested: [
          { resourceApplicationId: MAIL_APPLICATION_ID, scopes: ["openid", "Mail.Read"] },
        ],
      },
      server.clock.now(),
    );
    const reviewers = [w.reviewer.userPrincipalName, w.appAdmin.userPrincipalName];

    // Past the midpoint: the sweep reminds every reviewer once.
    server.clock.offsetMs = DAY + 60_000;
    await waitFor(
      () => reviewers.every((r) => mailsTo(r, "Reminder: ").length > 0),
      "the reminder emails",
    );
    for (const r of reviewers) {
      const [reminder] = mailsTo(r, "Reminder: ");
      expectCleanMail(reminder as RawMail, `reminder to ${r}`);
      expect(bare(reminder?.parsed.subject)).toBe(
        bare(`Reminder: ${HOSTILE_NAME} is waiting for your review`),
      );
      const html = typeof reminder?.parsed.html === "string" ? reminder.parsed.html : "";
      expect(html).toContain(`Pub Evil ${ESCAPED_SCRIPT}`);
    }

    // Past the end: reviewers and the requester are told it expired.
    server.clock.offsetMs = 2 * DAY + 60_000;
    await waitFor(
      () =>
        reviewers.every((r) => mailsTo(r, "The request to use ").length > 0) &&
        mailsTo(mallory.userPrincipalName, "Your request to use ").length > 0,
      "the expiry emails",
    );
    for (const r of reviewers) {
      const [expired] = mailsTo(r, "The request to use ");
      expectCleanMail(expired as RawMail, `expiry email to ${r}`);
      expect(bare(expired?.parsed.subject)).toBe(
        bare(`The request to use ${HOSTILE_NAME} expired`),
      );
    }
    const [mine] = mailsTo(mallory.userPrincipalName, "Your request to use ");
    expectCleanMail(mine as RawMail, "expiry email to the requester");
    expect(bare(mine?.parsed.subject)).toBe(bare(`Your request to use ${HOSTILE_NAME} expired`));
    // Nobody outside the tenant got anything: the justification's "Bcc:" stayed text.
    const recipients = smtp.inbox
      .flatMap((m) => [m.parsed.to, m.parsed.cc, m.parsed.bcc].flat())
      .flatMap((a) => a?.value ?? [])
      .map((v) => v.address);
    expect(recipients).not.toContain("victim@evil.example");
  });
});
